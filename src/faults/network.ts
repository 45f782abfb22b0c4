/**
 * The topology's network model as Toxiproxy toxics: every cross-region link (cross-region api->db,
 * standby->primary replication) gets a latency toxic per direction carrying the pair's one-way latency.
 * Drivers apply them right after creating the proxies, before anything connects, through the same
 * Toxiproxy API as faults. They are named `net-*`, never `cb-*`: heal (and its sweep of leftover `cb-*`
 * toxics) reverts only faults, so the regions stay as far apart after a heal as before the fault.
 */
import { pairLatency } from '../contract/network.js';
import { isCrossRegion, type Topology } from '../contract/topology.js';
import type { ToxicSpec, ToxicStream } from './plan.js';
import { ToxiproxyApi } from './toxiproxy-api.js';

/** Network-model toxics are named with this prefix (fault toxics use TOXIC_PREFIX, `cb-`). */
export const NETWORK_TOXIC_PREFIX = 'net-';

const STREAMS: ToxicStream[] = ['upstream', 'downstream'];

export interface NetworkToxic {
  proxy: string;
  toxic: ToxicSpec;
}

/** The toxics the network model puts on the topology's links (only `links` when given). Pure. */
export function networkToxics(topology: Topology, links?: readonly string[]): NetworkToxic[] {
  const result: NetworkToxic[] = [];
  for (const link of topology.links) {
    if (!isCrossRegion(link) || (links !== undefined && !links.includes(link.name))) continue;
    const pair = pairLatency(topology.network, link.fromRegion, link.toRegion);
    if (pair === undefined || (pair.latencyMs === 0 && pair.jitterMs === 0)) continue;
    for (const stream of STREAMS)
      result.push({
        proxy: link.name,
        toxic: {
          name: `${NETWORK_TOXIC_PREFIX}latency-${stream}`,
          type: 'latency',
          stream,
          toxicity: 1,
          // Toxiproxy attributes are integer milliseconds.
          attributes: { latency: Math.round(pair.latencyMs), jitter: Math.round(pair.jitterMs) },
        },
      });
  }
  return result;
}

/**
 * Add the network model's toxics to the given links' proxies (all of the topology's when omitted).
 * Idempotent: a toxic already there counts as added. Returns how many toxics the model asks for.
 */
export async function applyNetworkModel(
  toxiproxyUrl: string,
  topology: Topology,
  links?: readonly string[],
): Promise<number> {
  const api = new ToxiproxyApi(toxiproxyUrl);
  const toxics = networkToxics(topology, links);
  await Promise.all(toxics.map(({ proxy, toxic }) => api.addToxic(proxy, toxic)));
  return toxics.length;
}

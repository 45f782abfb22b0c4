/**
 * Planning the network model: a scenario's `topology.network` over the topology's regions -> one
 * latency per pair. Defaults come from published inter-region round-trip figures (docs/scenarios.md,
 * "Network model"); a scenario overrides them per pair, or turns them off with `network: lan`.
 */
import {
  EVERY_PAIR,
  pairKey,
  type NetworkModel,
  type NetworkSpec,
  type PairLatency,
} from '../contract/network.js';

/**
 * Round-trip times (ms) between the default regions: Microsoft Azure, "Azure network round-trip latency
 * statistics" (learn.microsoft.com/azure/networking/azure-network-latency), monthly P50 for the 30 days
 * ending 2025-06-29, read as us-east = East US (Virginia), eu-west = West Europe (Netherlands),
 * ap-south = West India (Mumbai). Each direction of a link carries half the round trip.
 */
export const PUBLISHED_RTT_MS: Readonly<Record<string, number>> = {
  'eu-west<->us-east': 84, // East US -> West Europe 83, West Europe -> East US 85
  'ap-south<->us-east': 181, // East US -> West India 181
  'ap-south<->eu-west': 122, // West Europe -> West India 122
};

/** One-way latency for a pair of regions the table above does not know (custom region names). */
export const FALLBACK_ONE_WAY_MS = 50;

/** The value for {a, b} in a per-pair map, whichever order the key names them in. */
function lookup(map: Readonly<Record<string, number>> | undefined, a: string, b: string): number | undefined {
  if (map === undefined) return undefined;
  return map[pairKey(a, b)] ?? map[pairKey(b, a)];
}

/** Published one-way latency between two regions, or undefined when the table does not know the pair. */
export function publishedOneWayMs(a: string, b: string): number | undefined {
  const rtt = lookup(PUBLISHED_RTT_MS, a, b);
  return rtt === undefined ? undefined : Math.round(rtt / 2);
}

/**
 * Resolve a scenario's network section over the topology's regions. Region names in the spec are
 * assumed valid (the scenario's semantic checks reject unknown ones).
 */
export function planNetwork(regions: string[], spec: NetworkSpec = 'wan'): NetworkModel {
  const pairs: PairLatency[] = [];
  for (let i = 0; i < regions.length; i++)
    for (let j = i + 1; j < regions.length; j++) pairs.push(planPair(regions[i]!, regions[j]!, spec));
  return { kind: spec === 'lan' ? 'lan' : 'wan', pairs };
}

function planPair(a: string, b: string, spec: NetworkSpec): PairLatency {
  if (spec === 'lan') return { regions: [a, b], latencyMs: 0, jitterMs: 0, source: 'lan' };
  const overrides = spec === 'wan' ? {} : spec;
  const named = lookup(overrides.latency, a, b);
  const every = overrides.latency?.[EVERY_PAIR];
  const published = publishedOneWayMs(a, b);
  const jitterMs = lookup(overrides.jitter, a, b) ?? overrides.jitter?.[EVERY_PAIR] ?? 0;
  if (named !== undefined) return { regions: [a, b], latencyMs: named, jitterMs, source: 'scenario' };
  if (every !== undefined) return { regions: [a, b], latencyMs: every, jitterMs, source: 'scenario' };
  if (published !== undefined)
    return { regions: [a, b], latencyMs: published, jitterMs, source: 'published' };
  return { regions: [a, b], latencyMs: FALLBACK_ONE_WAY_MS, jitterMs, source: 'fallback' };
}

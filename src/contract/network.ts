/**
 * The network model of a topology: how far apart the regions are. Every unordered pair of regions has a
 * one-way latency (and jitter) that cross-region links carry from stack start, independent of the
 * scenario's faults. Planned (with the published defaults) by src/topology/network.ts; applied to the
 * proxies by src/faults/network.ts.
 */

/** `a<->b`: an unordered pair of regions, as written in scenarios and reports. */
export const PAIR_SEPARATOR = '<->';
/** A key of `network.latency` / `network.jitter` that applies to every pair not named on its own. */
export const EVERY_PAIR = '*';

/** The `topology.network` section of a scenario, as parsed (durations in ms). */
export type NetworkSpec =
  | 'wan'
  | 'lan'
  | {
      /** One-way latency per pair (`a<->b`, or `*` for every other pair). */
      latency?: Record<string, number>;
      /** Jitter (± uniform) per pair (`a<->b`, or `*`); default 0. */
      jitter?: Record<string, number>;
    };

export interface PairLatency {
  /** The two regions, in topology order. */
  regions: [string, string];
  /** One-way delay added to each direction of every link between the two regions. */
  latencyMs: number;
  jitterMs: number;
  /** Where the latency comes from: the published table, the fallback for unknown names, or the scenario. */
  source: 'published' | 'fallback' | 'scenario' | 'lan';
}

export interface NetworkModel {
  /** `lan`: no latency added anywhere (every region on loopback); `wan`: the pairs below. */
  kind: 'wan' | 'lan';
  /** Every unordered pair of regions, in topology order. */
  pairs: PairLatency[];
}

export const pairKey = (a: string, b: string): string => `${a}${PAIR_SEPARATOR}${b}`;

/** `a<->b` -> [a, b]; null when the key is not a pair. */
export function splitPairKey(key: string): [string, string] | null {
  const parts = key.split(PAIR_SEPARATOR);
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return null;
  return [parts[0]!, parts[1]!];
}

/** The latency between two regions (none within a region, or when either side is global). */
export function pairLatency(model: NetworkModel, a: string, b: string): PairLatency | undefined {
  if (a === b) return undefined;
  return model.pairs.find(
    (p) => (p.regions[0] === a && p.regions[1] === b) || (p.regions[0] === b && p.regions[1] === a),
  );
}

/** `wan, one-way: us-east<->eu-west 42ms, us-east<->ap-south 91ms±5ms`, or `lan (no added latency)`. */
export function describeNetwork(model: NetworkModel): string {
  if (model.kind === 'lan') return 'lan (no added latency)';
  if (model.pairs.length === 0) return 'wan (a single region: no cross-region links)';
  const pairs = model.pairs.map(
    (p) => `${pairKey(...p.regions)} ${p.latencyMs}ms${p.jitterMs > 0 ? `±${p.jitterMs}ms` : ''}`,
  );
  return `wan, one-way: ${pairs.join(', ')}`;
}

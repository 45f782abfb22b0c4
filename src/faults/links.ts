/**
 * Which links (proxies) each network fault touches. Pure functions over the topology; the rules are
 * documented in docs/faults.md.
 */
import type { Link, Topology } from '../contract/topology.js';

/** Region outage: every link into or out of the region, including the region's own api->db link. */
export function outageLinks(topology: Topology, region: string): Link[] {
  return topology.links.filter((l) => l.fromRegion === region || l.toRegion === region);
}

/**
 * Region isolation: every link crossing the region's boundary (cross-region api->db and replication,
 * and controller->db@R since the control plane lives elsewhere), except router->api@R: the region's
 * own clients still reach it, which is exactly the split-brain risk. The local api->db link stays up.
 */
export function isolationLinks(topology: Topology, region: string): Link[] {
  return topology.links.filter(
    (l) => l.kind !== 'router-api' && (l.fromRegion === region) !== (l.toRegion === region),
  );
}

/** Links between two regions: from `a` to `b`, and from `b` to `a` unless one-way. */
export function betweenLinks(
  topology: Topology,
  a: string,
  b: string,
  direction: 'both' | 'one-way',
): Link[] {
  return topology.links.filter(
    (l) =>
      (l.fromRegion === a && l.toRegion === b) ||
      (direction === 'both' && l.fromRegion === b && l.toRegion === a),
  );
}

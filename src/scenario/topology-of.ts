/**
 * The planned topology of a `topology:` section — a scenario's, a runbook's front matter, or the flags
 * of `chaosbank up` (all validated by the same zod schema) — with the accounts to seed.
 */
import type { z } from 'zod';
import type { topologySchema } from './schema.js';
import type { AccountsSpec, Topology } from '../contract/topology.js';
import { planTopology } from '../topology/plan.js';

export type TopologySection = z.output<typeof topologySchema>;

export function planTopologyOf(section: TopologySection, accounts: AccountsSpec, runId: string): Topology {
  const { stack } = section;
  return planTopology({
    runId,
    regions: section.regions,
    primary: section.primary ?? section.regions[0]!,
    replication: section.replication,
    network: section.network,
    stack: {
      bugs: stack.bugs,
      failoverGraceMs: stack.failoverGrace,
      heartbeatIntervalMs: stack.heartbeatInterval,
      routerHealthIntervalMs: stack.routerHealthInterval,
      routerUnhealthyAfter: stack.routerUnhealthyAfter,
    },
    accounts,
  });
}

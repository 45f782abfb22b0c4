/**
 * The driver-agnostic model of a deployed payment stack: regions, components and the links between
 * them. Every link passes through one Toxiproxy proxy (named after the link), so every link is a
 * fault point. Drivers turn a Topology into running things; faults compile onto its links.
 */

export type Replication = 'sync' | 'async';

/** Seeded bugs of the reference stack (stack/). Each is off unless listed. */
export const SEEDED_BUGS = [
  'idempotency-race', // check-then-insert without unique constraint or lock
  'idempotency-outside-tx', // idempotency record written outside the ledger transaction
  'split-debit-credit', // debit and credit in separate transactions
  'no-overdraft-check', // missing overdraft check
  'local-idempotency-cache', // region-local idempotency cache consulted instead of the database
  'ack-before-commit', // acknowledge before commit
  'no-fencing', // failover without fencing the old primary (split brain)
] as const;
export type SeededBug = (typeof SEEDED_BUGS)[number];

/** The global control plane lives in no region: a region outage never takes it down. */
export const GLOBAL = 'global';

export type ComponentKind = 'router' | 'controller' | 'api' | 'db';

export interface Component {
  /** `router`, `controller`, `api@<region>`, `db@<region>`. */
  id: string;
  kind: ComponentKind;
  /** A region name, or GLOBAL for the router and controller. */
  region: string;
}

export type LinkKind =
  | 'client-router' // the client entry point
  | 'router-api' // router (and direct regional clients) -> a region's payments API
  | 'api-db' // a region's API -> a region's database (local reads, writes to the primary)
  | 'controller-db' // failover controller heartbeat / promotion / fencing
  | 'replication'; // standby -> primary streaming replication

export interface Link {
  /** The link's name is also its Toxiproxy proxy name, e.g. `api@us-east->db@eu-west`. */
  name: string;
  kind: LinkKind;
  /** Component ids (`client` for the load generator). */
  from: string;
  to: string;
  fromRegion: string;
  toRegion: string;
}

export interface StackOptions {
  bugs: SeededBug[];
  /** How long the primary may miss heartbeats before the controller fails over. */
  failoverGraceMs: number;
  heartbeatIntervalMs: number;
  /** Router health-check period and how many failures mark a region unhealthy. */
  routerHealthIntervalMs: number;
  routerUnhealthyAfter: number;
}

/** The stack options a scenario gets when it sets none (the scenario schema's defaults). */
export const DEFAULT_STACK_OPTIONS: StackOptions = {
  bugs: [],
  failoverGraceMs: 2000,
  heartbeatIntervalMs: 250,
  routerHealthIntervalMs: 250,
  routerUnhealthyAfter: 2,
};

export interface AccountsSpec {
  count: number;
  /** Initial balance per account, integer minor units. */
  funding: number;
  currency: string;
}

export interface Topology {
  runId: string;
  /** Regions in router priority order. */
  regions: string[];
  primary: string;
  replication: Replication;
  stack: StackOptions;
  accounts: AccountsSpec;
  components: Component[];
  links: Link[];
}

export const linkName = (from: string, to: string): string => `${from}->${to}`;
export const apiId = (region: string): string => `api@${region}`;
export const dbId = (region: string): string => `db@${region}`;
export const replicationFrom = (region: string): string => `repl@${region}`;

/** Build the full topology: every component and every link a fault may target. */
export function planTopology(input: {
  runId: string;
  regions: string[];
  primary: string;
  replication: Replication;
  stack: StackOptions;
  accounts: AccountsSpec;
}): Topology {
  const { regions } = input;
  const components: Component[] = [
    { id: 'router', kind: 'router', region: GLOBAL },
    { id: 'controller', kind: 'controller', region: GLOBAL },
    ...regions.flatMap((region): Component[] => [
      { id: apiId(region), kind: 'api', region },
      { id: dbId(region), kind: 'db', region },
    ]),
  ];
  const link = (kind: LinkKind, from: string, fromRegion: string, to: string, toRegion: string): Link => ({
    name: linkName(from, to),
    kind,
    from,
    to,
    fromRegion,
    toRegion,
  });
  const links: Link[] = [link('client-router', 'client', GLOBAL, 'router', GLOBAL)];
  for (const r of regions) links.push(link('router-api', 'router', GLOBAL, apiId(r), r));
  for (const r of regions) for (const s of regions) links.push(link('api-db', apiId(r), r, dbId(s), s));
  for (const r of regions) links.push(link('controller-db', 'controller', GLOBAL, dbId(r), r));
  // Any region may become primary, so every ordered pair of databases has a replication link.
  for (const standby of regions)
    for (const primary of regions)
      if (standby !== primary)
        links.push(link('replication', replicationFrom(standby), standby, dbId(primary), primary));
  return { ...input, components, links };
}

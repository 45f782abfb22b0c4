/**
 * The driver-agnostic model of a deployed payment stack: regions, components and the links between
 * them. Every link passes through one Toxiproxy proxy (named after the link), so every link is a
 * fault point. Drivers turn a Topology into running things; faults compile onto its links.
 * Planned by src/topology/plan.ts.
 */
import { z } from 'zod';
import type { SeededBug } from './seeded-bugs.js';
import type { NetworkModel } from './network.js';

export type Replication = 'sync' | 'async';

/** A region name: lower-case letters, digits and dashes (`us-east`). */
export const REGION_NAME = /^[a-z][a-z0-9-]{0,30}$/;
export const regionName = z
  .string()
  .regex(REGION_NAME, 'region names are lower-case letters, digits and dashes, e.g. us-east');

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
  /** How far apart the regions are: latency that cross-region links carry from stack start. */
  network: NetworkModel;
}

export const linkName = (from: string, to: string): string => `${from}->${to}`;
export const apiId = (region: string): string => `api@${region}`;
export const dbId = (region: string): string => `db@${region}`;
export const replicationFrom = (region: string): string => `repl@${region}`;

/** A link between two different regions: it carries the network model's latency. */
export const isCrossRegion = (link: Link): boolean =>
  link.fromRegion !== GLOBAL && link.toRegion !== GLOBAL && link.fromRegion !== link.toRegion;

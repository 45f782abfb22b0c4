/**
 * The topology builder: regions, replication, stack options and accounts -> every component and every
 * link a fault may target (each link is one Toxiproxy proxy, named after the link).
 */
import {
  apiId,
  dbId,
  GLOBAL,
  linkName,
  replicationFrom,
  type AccountsSpec,
  type Component,
  type Link,
  type LinkKind,
  type Replication,
  type StackOptions,
  type Topology,
} from '../contract/topology.js';
import type { NetworkSpec } from '../contract/network.js';
import { planNetwork } from './network.js';

/** Build the full topology: every component and every link a fault may target. */
export function planTopology(input: {
  runId: string;
  regions: string[];
  primary: string;
  replication: Replication;
  stack: StackOptions;
  accounts: AccountsSpec;
  /** The scenario's `topology.network` (default: the published WAN figures). */
  network?: NetworkSpec;
}): Topology {
  const { network, ...rest } = input;
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
  return { ...rest, components, links, network: planNetwork(regions, network) };
}

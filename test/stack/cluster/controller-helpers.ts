/** Helpers of the controller tests: an in-memory event log, replication conninfo, stopping everything. */
import type { ComponentLogLine } from '../../../src/contract/events.js';
import { startApi, type StartedApi } from '../../../stack/api/server.js';
import {
  replicationConninfo,
  stopPostgresInDataDir,
  waitFor,
  type Cluster,
} from '../../../stack/postgres/index.js';
import { createLogger } from '../../../stack/shared/log.js';
import { HOST } from './helpers.js';

export function eventLog() {
  const lines: ComponentLogLine[] = [];
  const logger = createLogger({ runId: 'test', component: 'controller' }, (line) =>
    lines.push(JSON.parse(line) as ComponentLogLine),
  );
  const events = () => lines.filter((l) => l.event);
  const waitEvent = (type: string, match: Record<string, unknown> = {}, timeoutMs = 30_000) =>
    waitFor(
      () =>
        Promise.resolve(
          events().find((l) => l.event === type && Object.entries(match).every(([k, v]) => l[k] === v)),
        ),
      { timeoutMs, what: `event ${type} ${JSON.stringify(match)}` },
    );
  return { logger, lines, events, waitEvent };
}

/** Every pair's replication conninfo, straight to the listen addresses (the local driver uses proxies). */
export function allConninfo(cluster: Cluster) {
  const map: Record<string, Record<string, string>> = {};
  for (const standby of Object.keys(cluster.nodes)) {
    map[standby] = {};
    for (const primary of Object.keys(cluster.nodes)) {
      if (standby !== primary)
        map[standby][primary] = replicationConninfo(cluster.nodes[primary]!.address, standby);
    }
  }
  return map;
}

/** The controller's `rejoin` option for every node of the cluster. */
export function rejoinOf(cluster: Cluster) {
  return {
    regions: Object.fromEntries(
      Object.values(cluster.nodes).map((n) => [
        n.region,
        { dataDir: n.dataDir, address: n.address, logFile: n.logFile },
      ]),
    ),
  };
}

export async function stopEverything(cluster: Cluster | undefined) {
  await cluster?.stop().catch(() => undefined);
  // The test and the controller (rejoin) also start servers: stop whatever runs in each data dir.
  for (const node of Object.values(cluster?.nodes ?? {}))
    await stopPostgresInDataDir(node.dataDir, { mode: 'immediate' });
}

/** A payments API for `region` on port 0 (its own db local, every db for discovery). */
export function startRegionApi(cluster: Cluster, region: string): Promise<StartedApi> {
  return startApi(
    {
      runId: 'test',
      region,
      host: HOST,
      port: 0,
      localDb: cluster.nodes[region]!.conn,
      dbs: Object.fromEntries(Object.values(cluster.nodes).map((n) => [n.region, n.conn])),
      bugs: [],
    },
    { writeLog: () => undefined },
  );
}

/** The `end` line of a region's ledger export, through its API. */
export async function exportEnd(api: StartedApi): Promise<Record<string, unknown>> {
  const response = await fetch(`${api.url}/v1/ledger/export`, { signal: AbortSignal.timeout(20_000) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`export: HTTP ${response.status}: ${text.slice(0, 200)}`);
  const last = text.trimEnd().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Record<string, unknown>;
}

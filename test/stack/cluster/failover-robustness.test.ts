/**
 * Failover under adverse conditions, on real PostgreSQL clusters: relaxed synchronous replication after a
 * failover, a write stuck on the old primary never acknowledged, detection that ignores one slow
 * heartbeat, a half-done promotion finished, truthful export roles, exactly one primary after rejoin.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { StartedApi } from '../../../stack/api/server.js';
import { startController, type StartedController } from '../../../stack/controller/index.js';
import { applyLedgerSchema } from '../../../stack/db/ledger-schema.js';
import {
  connString,
  startPostgres,
  waitFor,
  withClient,
  type Cluster,
} from '../../../stack/postgres/index.js';
import {
  allConninfo,
  eventLog,
  exportEnd,
  rejoinOf,
  startRegionApi,
  stopEverything,
} from './controller-helpers.js';
import { HOST, removeDir, startRelay, startTestCluster, tempDir, type Relay } from './helpers.js';

const GRACE_MS = 1_500;
const HEARTBEAT_MS = 200;

const schema = async (client: pg.Client) => {
  await client.query('CREATE TABLE t (id serial PRIMARY KEY, v text NOT NULL)');
  await applyLedgerSchema(client, { count: 4, funding: 1_000, currency: 'EUR' });
};

const insert = (conn: string, value: string) =>
  withClient(conn, (c) => c.query('INSERT INTO t (v) VALUES ($1)', [value]), { timeoutMs: 5_000 });

const visibleOn = (conn: string, value: string) =>
  waitFor(
    () =>
      withClient(conn, async (c) => {
        const { rowCount } = await c.query('SELECT 1 FROM t WHERE v = $1', [value]);
        return rowCount === 1 ? true : undefined;
      }),
    { timeoutMs: 20_000, what: `row ${value} on ${conn}` },
  );

const scalar = async (conn: string, sql: string): Promise<unknown> =>
  withClient(conn, async (c) => Object.values((await c.query(sql)).rows[0] ?? {})[0]);

let dir: string | undefined;
let cluster: Cluster | undefined;
let controller: StartedController | undefined;
const relays: Relay[] = [];
const apis: StartedApi[] = [];
const clients: pg.Client[] = [];

afterEach(async () => {
  await Promise.all(apis.splice(0).map((a) => a.close()));
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  await controller?.close();
  controller = undefined;
  await Promise.all(relays.splice(0).map((r) => r.close()));
  await stopEverything(cluster);
  cluster = undefined;
  await removeDir(dir);
});

const onePrimary = (c: StartedController, primary: string) =>
  waitFor(
    () =>
      Promise.resolve(
        c.status().regions.every((r) => r.role === (r.region === primary ? 'primary' : 'standby'))
          ? true
          : undefined,
      ),
    { timeoutMs: 20_000, what: `${primary} the only primary, every other region a standby` },
  );

describe('failover robustness', () => {
  it('sync, 2 regions: relaxes after failover, never acknowledges a stuck write on the old primary, restores sync after the rejoin', async () => {
    dir = await tempDir('ctl-sync2');
    const regions = ['us-east', 'eu-west'];
    cluster = await startTestCluster(dir, {
      replication: 'sync',
      regions,
      applySchema: schema,
      leaseMs: GRACE_MS,
    });
    const nodes = cluster.nodes;
    const east = nodes['us-east']!;
    const west = nodes['eu-west']!;
    const relay = await startRelay(east.address);
    relays.push(relay);
    const log = eventLog();
    controller = await startController(
      {
        runId: 'test',
        host: HOST,
        port: 0,
        primary: 'us-east',
        replication: 'sync',
        // The controller reaches us-east only through the relay: cutting it isolates us-east from it.
        dbs: { 'us-east': connString({ host: HOST, port: relay.port }), 'eu-west': west.conn },
        graceMs: GRACE_MS,
        heartbeatMs: HEARTBEAT_MS,
        standbyConninfo: allConninfo(cluster),
        rejoin: rejoinOf(cluster),
      },
      { logger: log.logger },
    );
    await waitFor(() => Promise.resolve(controller!.status().lastHeartbeatAt ?? undefined), {
      timeoutMs: 5_000,
      what: 'a heartbeat',
    });

    // A payment-like transaction on us-east passed the fencing check while its lease held...
    const held = new pg.Client({ connectionString: east.conn });
    clients.push(held);
    held.on('error', () => undefined);
    await held.connect();
    await held.query('BEGIN');
    await held.query('SELECT chaosbank_assert_writable(1)');
    await held.query("INSERT INTO t (v) VALUES ('held')");

    await relay.cut();
    await log.waitEvent('failover.promoted', { region: 'eu-west', epoch: 2 });
    await log.waitEvent('replication.sync-relaxed', { region: 'eu-west' });
    // No standby is left, yet the new primary takes writes (they would block with ANY 1 (us-east)).
    await insert(west.conn, 'after-failover');
    expect(await scalar(west.conn, 'SHOW synchronous_standby_names')).toBe('');

    // ...and commits only now: no standby of us-east is left to confirm it, so it waits for one.
    const commit = held.query('COMMIT');
    commit.catch(() => undefined);
    await waitFor(
      async () =>
        Number(
          await scalar(east.conn, "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'"),
        ) > 0
          ? true
          : undefined,
      { timeoutMs: 10_000, what: 'the held commit to wait for a synchronous standby' },
    );

    await relay.restore();
    await log.waitEvent('failover.fenced', { region: 'us-east' });
    // Fencing ended the waiting session: the old primary never acknowledged that write.
    await expect(commit).rejects.toThrow();
    await log.waitEvent('region.rejoined', { region: 'us-east' });
    await log.waitEvent('replication.sync-restored', { region: 'eu-west' });
    expect(await scalar(west.conn, 'SHOW synchronous_standby_names')).toMatch(/ANY 1/);
    // /status tells when the rejoined standby counts for the quorum again (a safe promotion target).
    await waitFor(
      () =>
        Promise.resolve(
          controller!.status().regions.find((r) => r.region === 'us-east')?.synchronous === true
            ? true
            : undefined,
        ),
      { timeoutMs: 10_000, what: 'us-east to count for the synchronous quorum' },
    );
    await onePrimary(controller, 'eu-west');
    await insert(west.conn, 'after-rejoin');
    await visibleOn(east.conn, 'after-rejoin');
    await visibleOn(east.conn, 'after-failover');

    apis.push(await startRegionApi(cluster, 'us-east'), await startRegionApi(cluster, 'eu-west'));
    expect(await exportEnd(apis[0]!)).toMatchObject({ region: 'us-east', role: 'standby', epoch: 2 });
    expect(await exportEnd(apis[1]!)).toMatchObject({ region: 'eu-west', role: 'primary', epoch: 2 });
  });

  it('a slow primary (every answer takes longer than a heartbeat) is not a failover', async () => {
    dir = await tempDir('ctl-slow');
    const regions = ['us-east', 'eu-west'];
    cluster = await startTestCluster(dir, {
      replication: 'async',
      regions,
      applySchema: schema,
      leaseMs: GRACE_MS,
    });
    const relay = await startRelay(cluster.nodes['us-east']!.address);
    relays.push(relay);
    const log = eventLog();
    controller = await startController(
      {
        runId: 'test',
        host: HOST,
        port: 0,
        primary: 'us-east',
        replication: 'async',
        dbs: {
          'us-east': connString({ host: HOST, port: relay.port }),
          'eu-west': cluster.nodes['eu-west']!.conn,
        },
        graceMs: GRACE_MS,
        heartbeatMs: HEARTBEAT_MS,
        standbyConninfo: allConninfo(cluster),
      },
      { logger: log.logger },
    );
    await waitFor(() => Promise.resolve(controller!.status().lastHeartbeatAt ?? undefined), {
      timeoutMs: 5_000,
      what: 'a heartbeat',
    });
    // Like a CPU-starved server: every round trip takes ~2 heartbeats, for three grace periods.
    relay.setLatency(HEARTBEAT_MS);
    const slowSince = Date.now();
    const renewedWhileSlow = await waitFor(
      () => {
        const at = controller!.status().lastHeartbeatAt ?? 0;
        return Promise.resolve(at > slowSince + HEARTBEAT_MS ? at : undefined);
      },
      { timeoutMs: 10_000, what: 'a renewal through the slow link' },
    );
    await waitFor(() => Promise.resolve(Date.now() - slowSince > 3 * GRACE_MS ? true : undefined), {
      timeoutMs: 10_000,
      what: 'three grace periods',
    });
    relay.setLatency(0);
    expect(renewedWhileSlow).toBeGreaterThan(slowSince);
    expect(log.events().filter((e) => String(e.event).startsWith('failover.'))).toEqual([]);
    expect(controller.status()).toMatchObject({ primary: 'us-east', epoch: 1 });
    expect(await scalar(cluster.nodes['eu-west']!.conn, 'SELECT pg_is_in_recovery()')).toBe(true);
  });

  it('finishes a half-done promotion (standby promoted, epoch not bumped) and exports truthful roles', async () => {
    dir = await tempDir('ctl-half');
    cluster = await startTestCluster(dir, { replication: 'async', applySchema: schema, leaseMs: GRACE_MS });
    const nodes = cluster.nodes;
    const west = nodes['eu-west']!;
    await insert(nodes['us-east']!.conn, 'before');
    await visibleOn(west.conn, 'before');
    await visibleOn(nodes['ap-south']!.conn, 'before');
    for (const region of ['us-east', 'eu-west', 'ap-south']) apis.push(await startRegionApi(cluster, region));
    const [eastApi, westApi, southApi] = apis as [StartedApi, StartedApi, StartedApi];
    expect(await exportEnd(eastApi)).toMatchObject({ role: 'primary', epoch: 1 });
    expect(await exportEnd(westApi)).toMatchObject({ role: 'standby', epoch: 1 });

    // A controller died between pg_promote and the epoch bump; the old primary died too.
    nodes['us-east']!.process.kill('SIGKILL');
    await scalar(west.conn, 'SELECT pg_promote(true, 30)');
    // Out of recovery, but its control row still names us-east: it cannot take a write, it is no primary.
    expect(await exportEnd(westApi)).toMatchObject({ region: 'eu-west', role: 'fenced', epoch: 1 });

    const log = eventLog();
    controller = await startController(
      {
        runId: 'test',
        host: HOST,
        port: 0,
        primary: 'us-east',
        replication: 'async',
        dbs: Object.fromEntries(Object.values(nodes).map((n) => [n.region, n.conn])),
        graceMs: GRACE_MS,
        heartbeatMs: HEARTBEAT_MS,
        standbyConninfo: allConninfo(cluster),
      },
      { logger: log.logger },
    );
    await log.waitEvent('failover.promoted', { region: 'eu-west', epoch: 2, from: 'us-east' });
    const control = await withClient(west.conn, async (c) => {
      const { rows } = await c.query('SELECT epoch::int, region, fenced FROM chaosbank_control');
      return rows[0];
    });
    expect(control).toEqual({ epoch: 2, region: 'eu-west', fenced: false });
    await insert(west.conn, 'after');
    await visibleOn(nodes['ap-south']!.conn, 'after');
    expect(await exportEnd(westApi)).toMatchObject({ role: 'primary', epoch: 2 });
    expect(await exportEnd(southApi)).toMatchObject({ role: 'standby', epoch: 2 });

    // The old primary comes back: fenced (no rejoin configured here), and its export says so.
    const east = nodes['us-east']!;
    east.process = await waitFor(
      () =>
        startPostgres({
          dataDir: east.dataDir,
          address: east.address,
          logFile: east.logFile,
          timeoutMs: 10_000,
        }),
      { timeoutMs: 30_000, what: 'old primary to restart' },
    );
    await log.waitEvent('failover.fenced', { region: 'us-east' });
    expect(await exportEnd(eastApi)).toMatchObject({ region: 'us-east', role: 'fenced', epoch: 1 });
    const roles = await exportEnds([eastApi, westApi, southApi]);
    expect(roles.filter((r) => r === 'primary')).toHaveLength(1);
  });
});

async function exportEnds(list: StartedApi[]): Promise<unknown[]> {
  return Promise.all(list.map(async (a) => (await exportEnd(a)).role));
}

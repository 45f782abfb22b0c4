/** The failover controller against a real 3-region PostgreSQL cluster: kill the primary, watch it fail over. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComponentLogLine } from '../../../src/contract/events.js';
import type { Replication } from '../../../src/contract/topology.js';
import { startController, type StartedController } from '../../../stack/controller/index.js';
import {
  connString,
  replicationConninfo,
  startPostgres,
  stopPostgresInDataDir,
  waitFor,
  withClient,
  type Cluster,
} from '../../../stack/postgres/index.js';
import { createLogger } from '../../../stack/shared/log.js';
import {
  freePort,
  HOST,
  REGIONS,
  removeDir,
  startRelay,
  startTestCluster,
  tempDir,
  type Relay,
} from './helpers.js';

const GRACE_MS = 1_500;
const HEARTBEAT_MS = 200;

const createT = async (client: { query(sql: string): Promise<unknown> }) => {
  await client.query('CREATE TABLE t (id serial PRIMARY KEY, v text NOT NULL)');
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

function eventLog() {
  const lines: ComponentLogLine[] = [];
  const logger = createLogger({ runId: 'test', component: 'controller' }, (line) =>
    lines.push(JSON.parse(line) as ComponentLogLine),
  );
  const events = () => lines.filter((l) => l.event);
  const waitEvent = (type: string, match: Record<string, unknown> = {}) =>
    waitFor(
      () =>
        Promise.resolve(
          events().find((l) => l.event === type && Object.entries(match).every(([k, v]) => l[k] === v)),
        ),
      { timeoutMs: 30_000, what: `event ${type}` },
    );
  return { logger, lines, events, waitEvent };
}

/** Every pair's replication conninfo, straight to the listen addresses (the local driver uses proxies). */
function allConninfo(cluster: Cluster) {
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

async function stopEverything(cluster: Cluster | undefined) {
  await cluster?.stop().catch(() => undefined);
  // The test and the controller (rejoin) also start servers: stop whatever runs in each data dir.
  for (const node of Object.values(cluster?.nodes ?? {}))
    await stopPostgresInDataDir(node.dataDir, { mode: 'immediate' });
}

for (const replication of ['async', 'sync'] as Replication[]) {
  describe(`controller failover (${replication})`, () => {
    let dir: string | undefined;
    let cluster: Cluster | undefined;
    let controller: StartedController | undefined;
    const log = eventLog();

    beforeAll(async () => {
      dir = await tempDir(`ctl-${replication}`);
      cluster = await startTestCluster(dir, { replication, applySchema: createT, leaseMs: GRACE_MS });
    });
    afterAll(async () => {
      await controller?.close();
      await stopEverything(cluster);
      await removeDir(dir);
    });

    it('promotes the most advanced standby after the grace period when the primary is killed', async () => {
      const nodes = cluster!.nodes;
      const conninfo = allConninfo(cluster!);
      if (replication === 'async') {
        // Hold ap-south back: it stops receiving from us-east, so eu-west is the most advanced standby.
        const deadPort = await freePort();
        conninfo['ap-south']!['us-east'] = replicationConninfo({ host: HOST, port: deadPort }, 'ap-south');
      }
      controller = await startController(
        {
          runId: 'test',
          host: HOST,
          port: 0,
          primary: 'us-east',
          replication,
          dbs: Object.fromEntries(REGIONS.map((r) => [r, nodes[r]!.conn])),
          graceMs: GRACE_MS,
          heartbeatMs: HEARTBEAT_MS,
          standbyConninfo: conninfo,
        },
        { logger: log.logger },
      );
      const status = await fetch(`${controller.url}/status`).then((r) => r.json());
      expect(status).toMatchObject({ primary: 'us-east', epoch: 1 });
      await waitFor(() => Promise.resolve(controller!.status().lastHeartbeatAt ?? undefined), {
        timeoutMs: 5_000,
        what: 'a heartbeat',
      });
      if (replication === 'async') {
        await waitFor(
          () =>
            Promise.resolve(
              controller!.status().regions.find((r) => r.region === 'ap-south')?.role === 'standby'
                ? true
                : undefined,
            ),
          { timeoutMs: 5_000, what: 'ap-south probed' },
        );
        await insert(nodes['us-east']!.conn, 'only-on-eu-west');
        await visibleOn(nodes['eu-west']!.conn, 'only-on-eu-west');
      } else {
        await insert(nodes['us-east']!.conn, 'acked-by-quorum');
      }

      const killedAt = Date.now();
      nodes['us-east']!.process.kill('SIGKILL');
      const promoted = await log.waitEvent('failover.promoted');
      const detected = log.events().find((e) => e.event === 'failover.detected')!;
      expect(detected).toMatchObject({ region: 'us-east', epoch: 1 });
      if (replication === 'async')
        expect(promoted).toMatchObject({ epoch: 2, region: 'eu-west', from: 'us-east' });
      else expect(promoted).toMatchObject({ epoch: 2, from: 'us-east' });
      // Fencing by lease: no promotion before the old primary's lease can have run out.
      expect(promoted.eventTime as number).toBeGreaterThanOrEqual(killedAt + GRACE_MS - HEARTBEAT_MS);
      expect(detected.eventTime as number).toBeLessThanOrEqual(promoted.eventTime as number);

      const next = promoted.region as string;
      const other = REGIONS.find((r) => r !== next && r !== 'us-east')!;
      await waitFor(() => Promise.resolve(controller!.status().epoch === 2 ? true : undefined), {
        timeoutMs: 5_000,
        what: 'epoch 2',
      });
      const control = await withClient(nodes[next]!.conn, async (c) => {
        const { rows } = await c.query(
          'SELECT epoch::int, region, fenced, pg_is_in_recovery() AS recovery FROM chaosbank_control',
        );
        return rows[0];
      });
      expect(control).toEqual({ epoch: 2, region: next, fenced: false, recovery: false });
      if (replication === 'sync') await visibleOn(nodes[next]!.conn, 'acked-by-quorum');

      // The other standby follows the new primary (new timeline): a new write reaches it.
      await log.waitEvent('failover.repointed', { region: other });
      await insert(nodes[next]!.conn, 'after-failover');
      await visibleOn(nodes[other]!.conn, 'after-failover');
      if (replication === 'async') await visibleOn(nodes[other]!.conn, 'only-on-eu-west');
    });

    it('fences the old primary when it comes back: it can no longer write', async () => {
      const old = cluster!.nodes['us-east']!;
      // kill -9 leaves backends exiting; the restart waits until the data dir is free again.
      const restarted = await waitFor(
        () =>
          startPostgres({
            dataDir: old.dataDir,
            address: old.address,
            logFile: old.logFile,
            timeoutMs: 10_000,
          }),
        { timeoutMs: 30_000, what: 'old primary to restart' },
      );
      old.process = restarted;
      await log.waitEvent('failover.fenced', { region: 'us-east' });
      const role = controller!.status().regions.find((r) => r.region === 'us-east')?.role;
      expect(role).toBe('fenced');
      await withClient(old.conn, async (c) => {
        await expect(c.query('SELECT chaosbank_assert_writable(1)')).rejects.toThrow(
          /fenced|lease|read-only/,
        );
        await expect(c.query('SELECT chaosbank_assert_writable(2)')).rejects.toThrow(
          /fenced|lease|read-only/,
        );
        await expect(c.query("INSERT INTO t (v) VALUES ('split-brain')")).rejects.toThrow(/read-only/);
        const { rows } = await c.query('SELECT fenced FROM chaosbank_control');
        expect(rows[0]).toEqual({ fenced: true });
      });
    });

    it('rejoins the old primary as a standby of the new one (a restarted controller with rejoin)', async () => {
      await controller!.close();
      const nodes = cluster!.nodes;
      const status = await (async () => {
        const started = await startController(
          {
            runId: 'test',
            host: HOST,
            port: 0,
            primary: 'us-east', // stale on purpose: the controller learns the truth from the databases
            replication,
            dbs: Object.fromEntries(REGIONS.map((r) => [r, nodes[r]!.conn])),
            graceMs: GRACE_MS,
            heartbeatMs: HEARTBEAT_MS,
            standbyConninfo: allConninfo(cluster!),
            rejoin: {
              regions: Object.fromEntries(
                REGIONS.map((r) => [
                  r,
                  { dataDir: nodes[r]!.dataDir, address: nodes[r]!.address, logFile: nodes[r]!.logFile },
                ]),
              ),
            },
          },
          { logger: log.logger },
        );
        controller = started;
        return started.status();
      })();
      expect(status.primary).not.toBe('us-east');
      expect(status.epoch).toBe(2);
      await log.waitEvent('region.rejoined', { region: 'us-east' });
      await insert(nodes[status.primary]!.conn, 'after-rejoin');
      await visibleOn(nodes['us-east']!.conn, 'after-rejoin');
      const recovery = await withClient(
        nodes['us-east']!.conn,
        async (c) => (await c.query('SELECT pg_is_in_recovery() AS r')).rows[0],
      );
      expect(recovery).toEqual({ r: true });
      await waitFor(
        () =>
          Promise.resolve(
            controller!
              .status()
              .regions.every((r) => r.role === (r.region === status.primary ? 'primary' : 'standby'))
              ? true
              : undefined,
          ),
        { timeoutMs: 10_000, what: 'every other region a standby' },
      );
    });
  });
}

describe('controller with the no-fencing bug', () => {
  let dir: string | undefined;
  let cluster: Cluster | undefined;
  let controller: StartedController | undefined;
  let relay: Relay | undefined;
  const log = eventLog();
  const regions = ['us-east', 'eu-west'];

  beforeAll(async () => {
    dir = await tempDir('ctl-nofence');
    cluster = await startTestCluster(dir, {
      replication: 'async',
      regions,
      applySchema: createT,
      leaseMs: GRACE_MS,
    });
  });
  afterAll(async () => {
    await controller?.close();
    await relay?.close();
    await stopEverything(cluster);
    await removeDir(dir);
  });

  it('promotes at once when the controller loses the primary, and the isolated old primary keeps taking writes', async () => {
    const nodes = cluster!.nodes;
    relay = await startRelay(nodes['us-east']!.address);
    controller = await startController(
      {
        runId: 'test',
        host: HOST,
        port: 0,
        primary: 'us-east',
        replication: 'async',
        // The controller reaches us-east only through the relay: cutting it isolates us-east from it.
        dbs: { 'us-east': connString({ host: HOST, port: relay.port }), 'eu-west': nodes['eu-west']!.conn },
        graceMs: 60_000, // ignored by the bug: it promotes at the first missed heartbeat
        heartbeatMs: HEARTBEAT_MS,
        bugs: ['no-fencing'],
        standbyConninfo: allConninfo(cluster!),
      },
      { logger: log.logger },
    );
    await waitFor(() => Promise.resolve(controller!.status().lastHeartbeatAt ?? undefined), {
      timeoutMs: 5_000,
      what: 'a heartbeat',
    });
    await relay.cut();
    await log.waitEvent('failover.promoted', { region: 'eu-west', epoch: 2 });

    // Split brain: both accept writes (the buggy API skips chaosbank_assert_writable).
    await insert(nodes['us-east']!.conn, 'old-primary-write');
    await insert(nodes['eu-west']!.conn, 'new-primary-write');
    await relay.restore();
    await waitFor(
      () =>
        Promise.resolve(
          controller!.status().regions.find((r) => r.region === 'us-east')?.role === 'primary'
            ? true
            : undefined,
        ),
      { timeoutMs: 10_000, what: 'the controller to see us-east again' },
    );
    await insert(nodes['us-east']!.conn, 'old-primary-write-after-heal');
    const control = await withClient(
      nodes['us-east']!.conn,
      async (c) => (await c.query('SELECT epoch::int, fenced FROM chaosbank_control')).rows[0],
    );
    expect(control).toEqual({ epoch: 1, fenced: false });
    expect(log.events().some((e) => e.event === 'failover.fenced')).toBe(false);
  });
});

/** The replicated PostgreSQL tier against real PostgreSQL 18 servers. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  replicationConninfo,
  seedStandby,
  startPostgres,
  waitFor,
  waitForStreaming,
  withClient,
  type Cluster,
} from '../../../stack/postgres/index.js';
import { removeDir, startTestCluster, tempDir } from './helpers.js';

const visibleOn = (conn: string, value: string) =>
  waitFor(
    () =>
      withClient(conn, async (c) => {
        const { rowCount } = await c.query('SELECT 1 FROM t WHERE v = $1', [value]);
        return rowCount === 1 ? true : undefined;
      }),
    { timeoutMs: 15_000, what: `row ${value} on ${conn}` },
  );

for (const replication of ['async', 'sync'] as const) {
  describe(`a 3-region ${replication} cluster`, () => {
    let dir: string | undefined;
    let cluster: Cluster | undefined;

    beforeAll(async () => {
      dir = await tempDir(`pg-${replication}`);
      cluster = await startTestCluster(dir, {
        replication,
        applySchema: async (client) => {
          await client.query('CREATE TABLE t (id serial PRIMARY KEY, v text NOT NULL)');
        },
      });
    });
    afterAll(async () => {
      await cluster?.stop();
      await removeDir(dir);
    });

    it('streams to every standby and holds the control row everywhere', async () => {
      const primary = cluster!.nodes['us-east']!;
      const rows = await withClient(primary.conn, async (c) => {
        const { rows } = await c.query<{ application_name: string; state: string; sync_state: string }>(
          'SELECT application_name, state, sync_state FROM pg_stat_replication ORDER BY application_name',
        );
        return rows;
      });
      expect(rows.map((r) => [r.application_name, r.state])).toEqual([
        ['ap-south', 'streaming'],
        ['eu-west', 'streaming'],
      ]);
      expect(new Set(rows.map((r) => r.sync_state))).toEqual(
        new Set([replication === 'sync' ? 'quorum' : 'async']),
      );
      for (const region of ['eu-west', 'ap-south']) {
        const row = await withClient(cluster!.nodes[region]!.conn, async (c) => {
          const recovery = await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
          const control = await c.query<{ epoch: string; region: string; fenced: boolean }>(
            'SELECT epoch, region, fenced FROM chaosbank_control',
          );
          return { recovery: recovery.rows[0]!.r, control: control.rows[0] };
        });
        expect(row).toEqual({ recovery: true, control: { epoch: '1', region: 'us-east', fenced: false } });
      }
    });

    it('replicates a write on the primary to every standby', async () => {
      await withClient(cluster!.nodes['us-east']!.conn, (c) => c.query("INSERT INTO t (v) VALUES ('hello')"));
      await visibleOn(cluster!.nodes['eu-west']!.conn, 'hello');
      await visibleOn(cluster!.nodes['ap-south']!.conn, 'hello');
    });

    it('seeds a standby from the running primary with the backup API', async () => {
      const node = cluster!.nodes['ap-south']!;
      await node.process.stop('fast');
      await withClient(cluster!.nodes['us-east']!.conn, (c) =>
        c.query("INSERT INTO t (v) VALUES ('while-down')"),
      );
      await seedStandby({
        dataDir: node.dataDir,
        name: 'ap-south',
        host: node.address.host,
        port: node.address.port,
        replication,
        primaryConn: cluster!.nodes['us-east']!.conn,
        primaryDataDir: cluster!.nodes['us-east']!.dataDir,
        primaryConninfo: replicationConninfo(cluster!.nodes['us-east']!.address, 'ap-south'),
      });
      const proc = await startPostgres({
        dataDir: node.dataDir,
        address: node.address,
        logFile: node.logFile,
      });
      node.process = proc;
      await waitForStreaming(cluster!.nodes['us-east']!.conn, ['ap-south'], {
        replication,
        timeoutMs: 20_000,
      });
      await visibleOn(node.conn, 'while-down');
      await withClient(cluster!.nodes['us-east']!.conn, (c) =>
        c.query("INSERT INTO t (v) VALUES ('after-seed')"),
      );
      await visibleOn(node.conn, 'after-seed');
      // cluster.stop() stops the handles it started; stop the new one ourselves
      await proc.stop('fast');
    });

    it(
      replication === 'sync'
        ? 'blocks a commit while no standby is connected'
        : 'commits on the primary while no standby is connected',
      async () => {
        for (const region of ['eu-west', 'ap-south']) await cluster!.nodes[region]!.process.stop('fast');
        const insert = withClient(
          cluster!.nodes['us-east']!.conn,
          (c) => c.query("INSERT INTO t (v) VALUES ('alone')"),
          { timeoutMs: 1_500 },
        );
        if (replication === 'sync') await expect(insert).rejects.toThrow(/timeout/i);
        else await expect(insert).resolves.toBeDefined();
      },
    );
  });
}

it('rejects an unknown primary with a clear input error', async () => {
  const dir = await tempDir('pg-bad');
  try {
    await expect(startTestCluster(dir, { replication: 'async', primary: 'mars' })).rejects.toMatchObject({
      code: 'CLUSTER_UNKNOWN_PRIMARY',
    });
  } finally {
    await removeDir(dir);
  }
});

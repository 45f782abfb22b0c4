/** The template cache of the PostgreSQL tier: atomic saves, keys, and bootstraps that reuse a template. */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootstrapCluster,
  findTemplate,
  saveTemplate,
  templateKey,
  withClient,
  type BootstrapOptions,
  type Cluster,
} from '../../stack/postgres/index.js';
import { freePort, HOST, removeDir, REGIONS, tempDir } from './cluster/helpers.js';

let dir = '';
beforeAll(async () => {
  dir = await tempDir('template');
});
afterAll(async () => {
  await removeDir(dir);
});

describe('template keys and saves', () => {
  it('changes the key with the schema key and with control.sql, and only then', async () => {
    const a = await templateKey('schema-1', 'CREATE TABLE x ();');
    expect(await templateKey('schema-1', 'CREATE TABLE x ();')).toBe(a);
    expect(await templateKey('schema-2', 'CREATE TABLE x ();')).not.toBe(a);
    expect(await templateKey('schema-1', 'CREATE TABLE y ();')).not.toBe(a);
  });

  it('saves atomically: concurrent saves leave one complete template, no temp dirs, no server files', async () => {
    const source = path.join(dir, 'source');
    mkdirSync(path.join(source, 'base'), { recursive: true });
    writeFileSync(path.join(source, 'PG_VERSION'), '18\n');
    writeFileSync(path.join(source, 'base', 'f'), 'x');
    writeFileSync(path.join(source, 'postmaster.pid'), '1\n');
    const cache = path.join(dir, 'cache');
    // What a builder killed mid-copy leaves (pid beyond any pid_max: dead).
    mkdirSync(path.join(cache, '.building-999999999-dead', 'data'), { recursive: true });
    expect(await findTemplate(cache, 'k')).toBeUndefined();

    await Promise.all([saveTemplate(cache, 'k', source), saveTemplate(cache, 'k', source)]);

    const template = await findTemplate(cache, 'k');
    expect(template).toBe(path.join(cache, 'k', 'data'));
    expect(readdirSync(cache)).toEqual(['k']);
    expect(existsSync(path.join(template!, 'base', 'f'))).toBe(true);
    expect(existsSync(path.join(template!, 'postmaster.pid'))).toBe(false);
  });
});

describe('bootstrap with a template cache', () => {
  const clusters: Cluster[] = [];
  afterAll(async () => {
    await Promise.all(clusters.map((c) => c.stop()));
  });

  const boot = async (name: string, primary: string, schemaKey: string) => {
    const messages: string[] = [];
    let schemaRuns = 0;
    const addresses: BootstrapOptions['addresses'] = {};
    for (const region of REGIONS) addresses[region] = { host: HOST, port: await freePort() };
    const cluster = await bootstrapCluster({
      runId: name,
      regions: REGIONS,
      primary,
      replication: 'sync',
      baseDir: path.join(dir, name),
      addresses,
      leaseMs: 60_000,
      template: { cacheDir: path.join(dir, 'templates'), schemaKey },
      applySchema: async (client) => {
        schemaRuns++;
        await client.query('CREATE TABLE t (v text)');
        await client.query(`INSERT INTO t VALUES ('seeded')`);
      },
      log: (m) => messages.push(m),
    });
    clusters.push(cluster);
    return { cluster, messages, schemaRuns };
  };

  it('builds the template once, then copies it; the control row gets a fresh lease and the new primary', async () => {
    const first = await boot('first', 'us-east', 'schema-a');
    expect(first.schemaRuns).toBe(1);
    expect(first.messages.some((m) => m.includes('initdb'))).toBe(true);
    await first.cluster.stop();

    const second = await boot('second', 'eu-west', 'schema-a');
    expect(second.schemaRuns).toBe(0);
    expect(second.messages.some((m) => m.includes('copied template'))).toBe(true);
    for (const node of Object.values(second.cluster.nodes)) {
      const row = await withClient(node.conn, async (c) => {
        const control = await c.query<{ epoch: string; region: string; fresh: boolean; fenced: boolean }>(
          `SELECT epoch, region, fenced, lease_until > now() + interval '50 seconds' AS fresh
             FROM chaosbank_control`,
        );
        const seeded = await c.query('SELECT v FROM t');
        const recovery = await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
        return { control: control.rows, seeded: seeded.rows, recovery: recovery.rows[0]!.r };
      });
      expect(row).toEqual({
        control: [{ epoch: '1', region: 'eu-west', fresh: true, fenced: false }],
        seeded: [{ v: 'seeded' }],
        recovery: node.region !== 'eu-west',
      });
    }
    await second.cluster.stop();

    // Another schema: never the old template.
    const third = await boot('third', 'us-east', 'schema-b');
    expect(third.schemaRuns).toBe(1);
    expect(third.messages.some((m) => m.includes('copied template'))).toBe(false);
    expect(readdirSync(path.join(dir, 'templates')).filter((n) => !n.startsWith('.'))).toHaveLength(2);
  });
});

/**
 * `toxiproxyUrl`: the stack's proxies live on a Toxiproxy the caller runs (here a separately started
 * embedded server standing in for a real one); down removes exactly our proxies and leaves the server up.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startToxiproxyServer } from '../../src/toxiproxy/server.js';
import { startLocalStack } from '../../drivers/local/driver.js';
import { topologyFromFlags } from '../../src/scenario/topology-from-flags.js';
import type { LocalStack } from '../../drivers/local/stack.js';

const home = mkdtempSync(join(os.tmpdir(), 'chaosbank-ext-'));
const previousHome = process.env.CHAOSBANK_HOME;
process.env.CHAOSBANK_HOME = home;
let stack: LocalStack | null = null;
let server: Awaited<ReturnType<typeof startToxiproxyServer>> | null = null;

afterAll(async () => {
  await stack?.down();
  await server?.close();
  if (previousHome === undefined) delete process.env.CHAOSBANK_HOME;
  else process.env.CHAOSBANK_HOME = previousHome;
  rmSync(home, { recursive: true, force: true });
}, 30_000);

describe('external Toxiproxy', () => {
  it('creates every link proxy on the given server and removes them on down', async () => {
    server = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
    const client = new Toxiproxy(server.url);
    await client.createProxy({ name: 'someone-elses', listen: '127.0.0.1:0', upstream: '127.0.0.1:9' });
    const topology = topologyFromFlags({
      runId: `ext-${process.pid}`,
      regions: ['a', 'b'],
      replication: 'async',
    });
    stack = await startLocalStack(topology, { runDir: join(home, 'run'), toxiproxyUrl: server.url });
    expect(stack.toxiproxyUrl).toBe(server.url);
    const names = Object.keys(await client.getAll()).sort();
    expect(names).toEqual([...topology.links.map((l) => l.name), 'someone-elses'].sort());
    await stack.down();
    expect(Object.keys(await client.getAll())).toEqual(['someone-elses']);
  }, 120_000);
});

/**
 * The local driver end to end, for sync and async replication: up -> payments through the router ->
 * outage of the primary region (every proxy into/out of it disabled through the Toxiproxy API) -> the
 * controller promotes -> payments succeed again -> heal -> the old primary rejoins as a standby ->
 * down leaves no process, port or directory behind. Needs `npm run build` (components run from dist/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startLocalStack } from '../../drivers/local/driver.js';
import { topologyFromFlags } from '../../src/scenario/topology-from-flags.js';
import { readState, type StackState } from '../../drivers/local/state.js';
import { listRegistered } from '../../drivers/local/registry.js';
import { readActiveStack } from '../../drivers/local/attach.js';
import type { LocalStack } from '../../drivers/local/stack.js';
import { waitFor } from '../../drivers/local/wait.js';
import { outageLinks } from '../../src/faults/links.js';
import { leftovers } from './leftovers.js';

const home = mkdtempSync(join(os.tmpdir(), 'chaosbank-home-'));
const previousHome = process.env.CHAOSBANK_HOME;
let counter = 0;

async function pay(routerUrl: string, key: string): Promise<number> {
  const response = await fetch(`${routerUrl}/v1/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ from: 'acc-0001', to: 'acc-0002', amount: 1, currency: 'USD' }),
    signal: AbortSignal.timeout(5000),
  });
  await response.body?.cancel();
  return response.status;
}

async function setProxies(toxiproxyUrl: string, names: string[], enabled: boolean): Promise<void> {
  const client = new Toxiproxy(toxiproxyUrl);
  const all = await client.getAll();
  await Promise.all(
    names.map(async (name) => {
      const proxy = all[name]!;
      await proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });
    }),
  );
}

beforeAll(() => {
  process.env.CHAOSBANK_HOME = home;
});

afterAll(() => {
  if (previousHome === undefined) delete process.env.CHAOSBANK_HOME;
  else process.env.CHAOSBANK_HOME = previousHome;
  rmSync(home, { recursive: true, force: true });
});

describe.each(['sync', 'async'] as const)('local stack, %s replication', (replication) => {
  const runDir = join(home, 'runs', `${replication}-${process.pid}`);
  let stack: LocalStack | null = null;

  afterAll(async () => {
    await stack?.down();
  }, 30_000);

  it('fails over on a primary-region outage, rejoins after heal, and leaves nothing behind', async () => {
    const topology = topologyFromFlags({ replication, runId: `test-${replication}-${process.pid}` });
    const oldPrimary = topology.primary;
    stack = await startLocalStack(topology, { runDir });
    expect(stack.routerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Object.keys(stack.regions)).toEqual(topology.regions);
    // Regions differ by address, not only by port (Linux routes 127/8 to lo).
    if (process.platform === 'linux')
      expect(new Set(Object.values(stack.regions).map((r) => new URL(r.apiUrl).hostname)).size).toBe(3);
    expect(readActiveStack(topology.runId)?.routerUrl).toBe(stack.routerUrl);

    for (let i = 0; i < 5; i++) expect(await pay(stack.routerUrl, `k-${replication}-${counter++}`)).toBe(201);
    const before = await stack.status();
    expect(before.primary).toBe(oldPrimary);
    expect(before.regions.filter((r) => r.role === 'standby')).toHaveLength(2);
    // Idle, the standbys catch up, although the controller writes a lease renewal every heartbeat and the
    // network model puts tens of milliseconds between the regions (settle waits for exactly this).
    expect(topology.network.kind).toBe('wan');
    await waitFor(async () => (await stack!.status()).regions.every((r) => r.lagBytes === 0), {
      timeout: 10_000,
      interval: 100,
      description: 'every standby to report no replication lag while idle',
    });

    // Outage of the primary region: every proxy into or out of it.
    const cut = outageLinks(topology, oldPrimary).map((l) => l.name);
    await setProxies(stack.toxiproxyUrl, cut, false);
    const promoted = await waitFor(
      async () => {
        const s = await stack!.status();
        return s.primary !== oldPrimary ? s : null;
      },
      { timeout: 30_000, interval: 200, description: 'the controller to promote a standby' },
    );
    expect(promoted.epoch).toBeGreaterThan(before.epoch);
    await waitFor(async () => (await pay(stack!.routerUrl, `k-${replication}-${counter++}`)) === 201, {
      timeout: 30_000,
      interval: 200,
      description: 'payments to succeed through the router after failover',
    });
    for (let i = 0; i < 3; i++) expect(await pay(stack.routerUrl, `k-${replication}-${counter++}`)).toBe(201);
    expect(stack.events().some((e) => e.type === 'failover.promoted')).toBe(true);

    // Heal: the old primary comes back and is re-seeded as a standby of the new one.
    await setProxies(stack.toxiproxyUrl, cut, true);
    await waitFor(
      async () => (await stack!.status()).regions.find((r) => r.region === oldPrimary)?.role === 'standby',
      { timeout: 60_000, interval: 250, description: `${oldPrimary} to rejoin as a standby` },
    );
    expect(await pay(stack.routerUrl, `k-${replication}-${counter++}`)).toBe(201);

    const ledgers = await stack.collectLedgers(join(runDir, 'ledgers'));
    for (const region of topology.regions) expect(ledgers[region]).toHaveProperty('path');

    // Down leaves nothing behind; a second down is a no-op.
    const recorded: StackState = readState(runDir)!;
    await stack.down();
    await stack.down();
    expect(await leftovers(runDir, recorded)).toEqual({ processes: [], openPorts: [], dirs: [] });
    expect(listRegistered().entries.map((e) => e.runId)).not.toContain(topology.runId);
    expect(readState(runDir)?.phase).toBe('stopped');
  }, 170_000);
});

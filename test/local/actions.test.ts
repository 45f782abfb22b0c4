/**
 * Process actions on a running local stack: restart keeps the component's port (proxies stay valid),
 * pause stalls requests until resume, a database killed from another process's view of the stack
 * (signals on recorded pids) comes back with restart in its role. Needs `npm run build`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../../drivers/local/driver.js';
import { topologyFromFlags } from '../../src/scenario/topology-from-flags.js';
import { readState, type StackState } from '../../drivers/local/state.js';
import { AttachedStack } from '../../drivers/local/attach.js';
import { postmasterOf } from '../../drivers/local/teardown.js';
import { descendants } from '../../drivers/local/tree.js';
import { identify, isAlive } from '../../drivers/local/proc.js';
import type { LocalStack } from '../../drivers/local/stack.js';
import { waitFor } from '../../drivers/local/wait.js';
import { leftovers } from './leftovers.js';

const home = mkdtempSync(join(os.tmpdir(), 'chaosbank-actions-'));
const previousHome = process.env.CHAOSBANK_HOME;
process.env.CHAOSBANK_HOME = home;
let stack: LocalStack | null = null;

afterAll(async () => {
  await stack?.down();
  if (previousHome === undefined) delete process.env.CHAOSBANK_HOME;
  else process.env.CHAOSBANK_HOME = previousHome;
  rmSync(home, { recursive: true, force: true });
}, 30_000);

async function pay(url: string, key: string, timeoutMs = 5000): Promise<number> {
  const response = await fetch(`${url}/v1/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ from: 'acc-0003', to: 'acc-0004', amount: 2, currency: 'USD' }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.body?.cancel();
  return response.status;
}

describe('process actions', () => {
  it('restart, pause/resume, kill and restart a standby database, then down leaves nothing', async () => {
    const runDir = join(home, 'run');
    const topology = topologyFromFlags({
      runId: `actions-${process.pid}`,
      regions: ['a', 'b'],
      replication: 'async',
    });
    stack = await startLocalStack(topology, { runDir });
    expect(await pay(stack.routerUrl, 'a-1')).toBe(201);

    // restart: same port, ready again, reachable through its proxy.
    const portOf = (component: string) =>
      readState(runDir)!.processes.find((p) => p.component === component)!.listen!.port;
    const before = portOf('api@b');
    const oldPid = stack.components.get('api@b')!.pid;
    await stack.processAction('api@b', 'restart');
    expect(stack.components.get('api@b')!.pid).not.toBe(oldPid);
    expect(portOf('api@b')).toBe(before);
    const viaProxy = await fetch(`${stack.regions.b!.apiUrl}/readyz`);
    expect(viaProxy.status).toBe(200);

    // pause: the router stops answering; resume: it answers again.
    await stack.processAction('router', 'pause');
    await expect(pay(stack.routerUrl, 'a-2', 1000)).rejects.toThrow();
    await stack.processAction('router', 'resume');
    expect(await pay(stack.routerUrl, 'a-3')).toBe(201);

    // kill from another process's view (signals on the recorded pids), restart through the owner.
    const attached = new AttachedStack(readState(runDir)!);
    const dataDir = stack.dbs.get('b')!.dataDir;
    const postmaster = postmasterOf(dataDir)!;
    expect(postmaster).not.toBeNull();
    const family = [postmaster, ...descendants(postmaster.pid).map(identify)];
    await attached.processAction('db@b', 'kill');
    // The backends of a killed postmaster exit on their own shortly after it.
    await waitFor(() => family.every((p) => !isAlive(p)), {
      timeout: 10_000,
      description: 'db@b and its backends to die',
    });
    await stack.processAction('db@b', 'restart');
    await waitFor(
      async () => (await stack!.status()).regions.find((r) => r.region === 'b')?.role === 'standby',
      {
        timeout: 30_000,
        interval: 200,
        description: 'db@b back as a standby',
      },
    );
    // The restart's stop is visible as an event of the component (a kill would be too).
    expect(stack.events().some((e) => e.type === 'process.exited' && e.component === 'api@b')).toBe(true);

    const recorded: StackState = readState(runDir)!;
    await stack.down();
    expect(await leftovers(runDir, recorded)).toEqual({ processes: [], openPorts: [], dirs: [] });
  }, 150_000);
});

/**
 * End to end on a real local stack (`chaosbank up`, embedded PostgreSQL, 2 regions): `chaosbank fault`
 * finds the running stack, cuts a region, records the fault where `status` shows it and the events
 * where the stack keeps them; `chaosbank heal` brings it back; primary-db-kill hits the current primary.
 * Needs `npm run build`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './helpers.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
let home: string;

async function chaosbank(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/chaosbank.js', ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', CHAOSBANK_HOME: home },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Whether a TCP connection to the URL's host:port is accepted. */
async function accepts(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

interface Up {
  runId: string;
  runDir: string;
  regions: Record<string, string>;
}
let up: Up | undefined;

beforeAll(async () => {
  if (!existsSync(join(root, 'dist/src/faults/command.js')))
    await run('npm', ['run', 'build'], { cwd: root });
  home = await mkdtemp(join(tmpdir(), 'chaosbank-faults-stack-'));
  const started = await chaosbank('up', '--regions', 'a,b', '--json');
  expect(started.code, started.stderr).toBe(0);
  up = JSON.parse(started.stdout) as Up;
}, 180_000);

afterAll(async () => {
  if (up) await chaosbank('down');
  await rm(home, { recursive: true, force: true });
}, 120_000);

describe('chaosbank fault / heal on a running local stack', () => {
  it('region-outage cuts the region until heal; status and events show it', async () => {
    const apiA = up!.regions.a!;
    expect(await accepts(apiA)).toBe(true);

    const fault = await chaosbank('fault', 'region-outage', '--region', 'a', '--id', 'out-a', '--json');
    expect(fault.code, fault.stderr).toBe(0);
    expect(await accepts(apiA)).toBe(false);
    expect(await accepts(up!.regions.b!)).toBe(true);

    const status = await chaosbank('status', '--json');
    expect(JSON.parse(status.stdout)).toMatchObject({
      faults: [{ id: 'out-a', kind: 'region-outage', status: 'active' }],
    });

    const heal = await chaosbank('heal', '--json');
    expect(heal.code, heal.stderr).toBe(0);
    expect(JSON.parse(heal.stdout)).toMatchObject({ reverted: ['out-a'] });
    await waitFor('region a to accept connections again', () => accepts(apiA));

    const events = readFileSync(join(up!.runDir, 'events.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; data?: { id?: string } });
    expect(events.filter((e) => e.type.startsWith('fault.')).map((e) => [e.type, e.data?.id])).toEqual([
      ['fault.applied', 'out-a'],
      ['fault.reverted', 'out-a'],
    ]);
  });

  it('primary-db-kill kills the current primary database and heal restarts it', async () => {
    const before = await chaosbank('status', '--json');
    const primary = (JSON.parse(before.stdout) as { status: { primary: string } }).status.primary;
    const kill = await chaosbank('fault', 'primary-db-kill', '--id', 'pk', '--json');
    expect(kill.code, kill.stderr).toBe(0);
    expect(JSON.parse(kill.stdout)).toMatchObject({ fault: { component: `db@${primary}` } });
    const heal = await chaosbank('heal', '--json');
    expect(heal.code, heal.stderr).toBe(0);
    expect(JSON.parse(heal.stdout)).toMatchObject({ reverted: ['pk'] });
  });
});

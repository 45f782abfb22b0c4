/**
 * Runs the real built CLI (`node bin/chaosbank.js fault|heal`) against the embedded Toxiproxy server in
 * bare mode (--toxiproxy-url + --topology-regions) and with no running stack. Needs `npm run build`
 * (`npm test` builds first); the suite builds once itself when dist lacks the faults library.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { proxiesOf, startFixture, type FaultFixture } from './helpers.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

let fx: FaultFixture;
let home: string;

async function chaosbank(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/chaosbank.js', ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', CHAOSBANK_HOME: home },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const bare = (): string[] => ['--toxiproxy-url', fx.toxiproxyUrl, '--topology-regions', 'a,b'];

beforeAll(async () => {
  if (!existsSync(join(root, 'dist/src/faults/command.js')))
    await run('npm', ['run', 'build'], { cwd: root });
}, 180_000);

beforeEach(async () => {
  fx = await startFixture();
  home = await mkdtemp(join(tmpdir(), 'chaosbank-home-'));
});

afterEach(async () => {
  await fx[Symbol.asyncDispose]();
  await rm(home, { recursive: true, force: true });
});

describe('chaosbank fault / heal', () => {
  it('applies a fault that outlives the command, and heal (a fresh process) reverts it', async () => {
    const applied = await chaosbank(
      'fault',
      'region-outage',
      '--region',
      'b',
      '--id',
      'out-b',
      '--json',
      ...bare(),
    );
    expect(applied.code, applied.stderr).toBe(0);
    const json = JSON.parse(applied.stdout) as { fault: { id: string; kind: string }; reverted: boolean };
    expect(json).toMatchObject({ fault: { id: 'out-b', kind: 'region-outage' }, reverted: false });
    let server = await proxiesOf(fx.toxiproxyUrl);
    expect(server['router->api@b']!.enabled).toBe(false);
    expect(server['router->api@a']!.enabled).toBe(true);

    const healed = await chaosbank('heal', '--json', ...bare());
    expect(healed.code, healed.stderr).toBe(0);
    expect(JSON.parse(healed.stdout)).toMatchObject({ reverted: ['out-b'] });
    server = await proxiesOf(fx.toxiproxyUrl);
    expect(Object.values(server).every((p) => p.enabled)).toBe(true);

    const again = await chaosbank('heal', ...bare());
    expect(again.stdout).toContain('nothing to heal');
  });

  it('--duration holds the fault, then reverts it before exiting', async () => {
    const result = await chaosbank(
      'fault',
      'latency',
      '--link',
      'client->router',
      '--latency',
      '50ms',
      '--duration',
      '200ms',
      ...bare(),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('cb-latency-');
    expect(result.stdout).toMatch(/reverted latency-/);
    const server = await proxiesOf(fx.toxiproxyUrl);
    expect(server['client->router']!.toxics).toEqual([]);
  });

  it('Ctrl-C during --duration reverts the fault and exits 130', async () => {
    const child = spawn(
      process.execPath,
      ['bin/chaosbank.js', 'fault', 'partition', '--regions', 'a,b', '--duration', '1m', ...bare()],
      {
        cwd: root,
        env: { ...process.env, NO_COLOR: '1', CHAOSBANK_HOME: home },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let stdout = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('holding for')) resolve();
        });
        child.once('exit', () => reject(new Error(`exited early: ${stdout}`)));
      });
      expect((await proxiesOf(fx.toxiproxyUrl))['api@a->db@b']!.enabled).toBe(false);
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      const [code] = (await exited) as [number];
      expect(code).toBe(130);
      expect(Object.values(await proxiesOf(fx.toxiproxyUrl)).every((p) => p.enabled)).toBe(true);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('bad flags exit 2 with a clear message', async () => {
    const kind = await chaosbank('fault', 'meteor', ...bare());
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain('unknown fault kind `meteor`');
    expect(kind.stderr).toContain('region-outage');

    const region = await chaosbank('fault', 'region-outage', '--region', 'mars', ...bare());
    expect(region.code).toBe(2);
    expect(region.stderr).toContain('Valid regions: a, b');

    const latency = await chaosbank(
      'fault',
      'latency',
      '--link',
      'client->router',
      '--latency',
      'slow',
      ...bare(),
    );
    expect(latency.code).toBe(2);
    expect(latency.stderr).toContain('--latency slow is not a duration');

    const missing = await chaosbank('fault', 'latency', '--link', 'client->router', ...bare());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('params.latency');
  });

  it('exits 3 when no stack runs or the Toxiproxy API is unreachable', async () => {
    const none = await chaosbank('fault', 'region-outage', '--region', 'a');
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('no running stack: start one with `chaosbank up`');
    const healNone = await chaosbank('heal');
    expect(healNone.code).toBe(3);

    const url = fx.toxiproxyUrl;
    await fx.server.close();
    const down = await chaosbank('fault', 'region-outage', '--region', 'a', ...bare());
    expect(down.code).toBe(3);
    expect(down.stderr).toContain(url);
  });
});

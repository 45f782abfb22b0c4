/**
 * The local driver's machinery with small real child processes: process supervision and logs, wait
 * strategies, the state file, teardown (incl. pid-recycling safety) and loopback addresses.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManagedProcess } from '../../drivers/local/process.js';
import { waitFor, httpOk, tryConnect } from '../../drivers/local/wait.js';
import { identify, isAlive } from '../../drivers/local/proc.js';
import { StateFile, readState, type StackState } from '../../drivers/local/state.js';
import { teardownState } from '../../drivers/local/teardown.js';
import { planAddresses, canBind } from '../../drivers/local/loopback.js';
import { EnvironmentError } from '../../src/contract/errors.js';

const tiny = fileURLToPath(new URL('./fixtures/tiny-server.js', import.meta.url));
const root = mkdtempSync(join(os.tmpdir(), 'chaosbank-machinery-'));
const started: ManagedProcess[] = [];

afterAll(async () => {
  await Promise.all(started.map((p) => p.stop(200)));
  rmSync(root, { recursive: true, force: true });
});

const start = async (component: string, extra: string[] = [], host = '127.0.0.1') => {
  const p = await ManagedProcess.start({
    component,
    argv: [process.execPath, tiny, '--host', host, '--component', component, ...extra],
    logPath: join(root, 'logs', `${component}.log`),
  });
  started.push(p);
  return p;
};

const emptyState = (runDir: string): StackState => ({
  version: 1,
  runId: 'test',
  runDir,
  owner: identify(process.pid),
  phase: 'starting',
  createdAt: new Date().toISOString(),
  processes: [],
  dirs: [],
  ports: [],
  notes: [],
});

describe('ManagedProcess', () => {
  it('parses listening records and events from stdout and keeps them in the log file', async () => {
    const p = await start('api@a');
    const events: unknown[] = [];
    p.onRecord((r) => r.event && events.push(r));
    const listening = await p.waitForRecord((r) => r.msg === 'listening', 10_000);
    expect(listening.host).toBe('127.0.0.1');
    await waitFor(httpOk(`${String(listening.url)}/readyz`), { timeout: 5000, description: 'readyz' });
    await waitFor(() => events.length > 0, { timeout: 5000, description: 'an event' });
    expect(readFileSync(p.spec.logPath, 'utf8')).toContain('"msg":"listening"');
    await p.stop();
    expect(await tryConnect('127.0.0.1', Number(listening.port))).toBe(false);
  });

  it('fails fast with the log path and tail when the component exits during start', async () => {
    const p = await start('crasher', ['--crash']);
    const error = await p.waitForRecord((r) => r.msg === 'listening', 10_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).message).toMatch(/crasher exited with code 7/);
    expect((error as EnvironmentError).details.join('\n')).toContain('boom, crashing on purpose');
    expect((error as EnvironmentError).details[0]).toContain('crasher.log');
  });

  it('reports a missing binary as an EnvironmentError', async () => {
    const error = await ManagedProcess.start({
      component: 'ghost',
      argv: ['/nonexistent/chaosbank-binary'],
      logPath: join(root, 'logs', 'ghost.log'),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).code).toBe('BINARY_MISSING');
  });

  it('stops a process that ignores SIGTERM with SIGKILL after the grace period', async () => {
    const p = await start('stubborn', ['--stubborn']);
    await p.waitForRecord((r) => r.msg === 'listening', 10_000);
    const exit = await p.stop(300);
    expect(exit.signal).toBe('SIGKILL');
  });
});

describe('waitFor', () => {
  it('times out with a description and details', async () => {
    const error = await waitFor(() => false, {
      timeout: 150,
      description: 'the moon',
      details: () => ['log: /x.log'],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).message).toMatch(/waiting for the moon/);
    expect((error as EnvironmentError).details).toContain('log: /x.log');
  });
});

describe('state file and teardown', () => {
  it('records processes atomically and tears them down from the state alone, dirs included', async () => {
    const runDir = join(root, 'run1');
    const data = join(runDir, 'data');
    mkdirSync(data, { recursive: true });
    const state = new StateFile(emptyState(runDir));
    const a = await start('api@a', ['--stubborn']);
    const b = await start('router');
    const la = await a.waitForRecord((r) => r.msg === 'listening', 10_000);
    await b.waitForRecord((r) => r.msg === 'listening', 10_000);
    for (const p of [a, b])
      state.addProcess({ component: p.component, ...p.identity, argv: p.spec.argv, logPath: p.spec.logPath });
    state.addDir(data);
    const onDisk = readState(runDir)!;
    expect(onDisk.processes.map((p) => p.component)).toEqual(['api@a', 'router']);
    expect(onDisk.processes[0]!.startTime).toBeTypeOf('number');

    const report = await teardownState(onDisk, { graceMs: 300 });
    expect(report.stopped.sort()).toEqual(['api@a', 'router']);
    expect(report.killed).toEqual(['api@a']);
    expect(report.problems).toEqual([]);
    expect(isAlive(a.identity) || isAlive(b.identity)).toBe(false);
    expect(existsSync(data)).toBe(false);
    // The kernel closes a killed process's listener asynchronously to our liveness check: wait on it.
    await waitFor(async () => !(await tryConnect('127.0.0.1', Number(la.port))), {
      timeout: 3000,
      description: `port ${String(la.port)} of the torn-down api@a refusing connections`,
    });
  });

  it('never signals a pid whose start time differs from the record (recycled pid)', async () => {
    const p = await start('victim');
    await p.waitForRecord((r) => r.msg === 'listening', 10_000);
    const state = emptyState(join(root, 'run2'));
    state.processes.push({
      component: 'victim',
      pid: p.pid,
      startTime: (p.identity.startTime ?? 0) + 12345,
      argv: [],
      logPath: '',
    });
    const report = await teardownState(state, { graceMs: 200 });
    expect(report.stopped).toEqual([]);
    expect(isAlive(p.identity)).toBe(true);
  });

  it('also stops a process the state file never recorded, found by the run folder in its command line', async () => {
    // As when the harness is killed between spawning a component and writing its pid down.
    const runDir = join(root, 'run3');
    const orphan = await start('orphan', ['--config', join(runDir, 'config', 'api@a.json')]);
    // Naming the run folder itself is not enough: that is what `chaosbank up --run-dir` does.
    const cli = await start('cli', ['--run-dir', runDir]);
    await orphan.waitForRecord((r) => r.msg === 'listening', 10_000);
    await cli.waitForRecord((r) => r.msg === 'listening', 10_000);
    const report = await teardownState(emptyState(runDir), { graceMs: 300 });
    expect(report.stopped).toEqual([`unrecorded node (pid ${orphan.pid})`]);
    expect(report.problems).toEqual([]);
    expect(isAlive(orphan.identity)).toBe(false);
    expect(isAlive(cli.identity)).toBe(true);
  });
});

describe('loopback addresses', () => {
  it('gives each region its own bindable address (or notes the fallback)', async () => {
    const plan = await planAddresses(['a', 'b', 'c']);
    expect(plan.global).toBe('127.0.0.1');
    if (process.platform === 'linux') {
      expect(plan.regions).toEqual({ a: '127.0.1.1', b: '127.0.2.1', c: '127.0.3.1' });
      expect(plan.notes).toEqual([]);
    } else if (!(await canBind('127.0.1.1'))) {
      expect(plan.notes.join()).toMatch(/cannot bind/);
    }
  });
});

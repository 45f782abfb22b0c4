/**
 * No orphan outlives its owner: after a `kill -9` of the process that owns a local stack (`chaosbank run`,
 * `chaosbank up --foreground`, the supervisor of a detached `up`), the stack's watchdog tears everything
 * down — processes, listening ports, /dev/shm entries, temp dirs — with no command run. And a stack whose
 * watchdog died too is shown by `status` as ownerless and reaped by the next `up`. Real CLI, real
 * processes, real PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { configDirOf, readState, StateFile, type StackState } from '../../drivers/local/state.js';
import { identify, isAlive, type ProcessIdentity } from '../../drivers/local/proc.js';
import { listRegistered, registerStack, unregisterStack } from '../../drivers/local/registry.js';
import { waitFor } from '../../drivers/local/wait.js';
import { CLI, FIXTURES, killLeftovers, runCli } from '../run/helpers.js';
import { footprintOf, waitUntilGone, type Footprint } from '../../drivers/local/footprint.js';

const tiny = fileURLToPath(new URL('./fixtures/tiny-server.js', import.meta.url));

/** The identity of a process that existed and is gone (a crashed owner). */
async function deadProcess(): Promise<ProcessIdentity> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  const id = identify(child.pid!);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('close', resolve));
  return id;
}

/** The promise under test: everything is gone this long after the owner died. */
const GONE_WITHIN_MS = 10_000;
const RUN_TIMEOUT_MS = 150_000;

const root = mkdtempSync(join(os.tmpdir(), 'cb-watchdog-'));
const home = join(root, 'home');
const env = { CHAOSBANK_HOME: home };
const markers: string[] = [];

afterEach(async () => {
  // Last resort for a failed test: the reaper every user has, then SIGKILL by marker.
  await runCli(['down'], env).exited;
  for (const marker of markers) killLeftovers(marker);
}, 30_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The stack's state once it lists a running database (its footprint is then worth taking). */
function runningState(runDir: string): Promise<StackState> {
  return waitFor(
    () => {
      const state = readState(runDir);
      return state?.phase === 'ready' ? state : null;
    },
    { timeout: 90_000, interval: 50, description: `the stack in ${runDir} to be ready` },
  );
}

function expectAllGone(footprint: Footprint, remains: string[]): void {
  expect(footprint.processes.length).toBeGreaterThan(3); // the footprint saw the stack running
  expect(footprint.shm.length).toBeGreaterThan(0);
  expect(remains).toEqual([]);
}

describe('the watchdog: no orphan outlives its owner', () => {
  it(
    'kill -9 of `chaosbank run` mid-run: everything is gone within 10 s, no command run',
    async () => {
      const out = join(root, 'run-killed');
      markers.push(out);
      const run = runCli(['run', join(FIXTURES, 'outage-sync.yaml'), '--out', out], env);
      // Mid-run: the stack is up and the harness sends traffic (steady-state check, then load).
      await run.waitForStderr('] steady-state', RUN_TIMEOUT_MS);
      const runDir = join(out, 'stack');
      const footprint = footprintOf(runDir, await runningState(runDir));
      run.child.kill('SIGKILL');
      expect(await run.exited).toBe(128);
      const remains = await waitUntilGone(footprint, GONE_WITHIN_MS);
      expectAllGone(footprint, remains);
      // Its registry entry went with it: nothing is listed any more.
      const status = runCli(['status', '--json'], env);
      expect(await status.exited).toBe(0);
      expect(JSON.parse(status.stdout())).toMatchObject({ running: false, ownerless: [] });
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'kill -9 of the whole process group of `up --foreground`: the watchdog is not in it and cleans up',
    async () => {
      const runDir = join(root, 'foreground-group');
      markers.push(runDir);
      const child = spawn(
        process.execPath,
        [CLI, 'up', '--foreground', '--json', '--regions', 'a,b', '--run-dir', runDir],
        // Its own process group, like a shell job: `kill -9 -<pgid>` reaches the CLI and whatever did not leave the group.
        {
          env: { ...process.env, ...env, NO_COLOR: '1' },
          stdio: ['ignore', 'pipe', 'ignore'],
          detached: true,
        },
      );
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const exited = new Promise<unknown>((resolve) => child.once('close', resolve));
      await waitFor(() => stdout.includes('"router"'), { timeout: 90_000, description: 'the endpoints' });
      const footprint = footprintOf(runDir, readState(runDir)!);
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
      expectAllGone(footprint, await waitUntilGone(footprint, GONE_WITHIN_MS));
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'a stack whose watchdog died too is listed by status as ownerless and reaped by the next up; a detached up stack goes with its supervisor',
    async () => {
      const first = join(root, 'up-orphaned');
      markers.push(first);
      const up = runCli(['up', '--json', '--regions', 'a,b', '--run-dir', first], env);
      expect(await up.exited, up.stderr()).toBe(0);
      const state = readState(first)!;
      expect(state.watchdog).toBeDefined();
      const footprint = footprintOf(first, state);
      // The watchdog first, then the owner (the detached supervisor): nothing is left to act.
      process.kill(state.watchdog!.pid, 'SIGKILL');
      await waitFor(() => !isAlive(state.watchdog!), { timeout: 5000, description: 'the watchdog to die' });
      process.kill(state.owner.pid, 'SIGKILL');
      await waitFor(() => !isAlive(state.owner), { timeout: 5000, description: 'the supervisor to die' });

      const status = runCli(['status'], env);
      expect(await status.exited).toBe(0);
      expect(status.stdout()).toContain('no stack is running');
      expect(status.stdout()).toMatch(new RegExp(`ownerless +${state.runId}`));
      expect(status.stdout()).toContain(`supervisor pid ${state.owner.pid}`);
      const statusJson = runCli(['status', '--json'], env);
      expect(await statusJson.exited).toBe(0);
      expect(JSON.parse(statusJson.stdout())).toMatchObject({
        running: false,
        ownerless: [{ runId: state.runId, runDir: first, owner: { alive: false } }],
      });

      const second = join(root, 'up-next');
      markers.push(second);
      const next = runCli(['up', '--json', '--regions', 'a,b', '--run-dir', second], env);
      expect(await next.exited, next.stderr()).toBe(0);
      const reapLines = next
        .stderr()
        .split('\n')
        .filter((l) => l.includes('reaped'));
      expect(reapLines).toHaveLength(1);
      expect(reapLines[0]).toContain(state.runId);
      expect(await waitUntilGone(footprint, 0)).toEqual([]); // `up` returned after reaping: nothing to wait for

      // The new stack's owner is its supervisor: kill -9 it and the watchdog tears the stack down.
      const nextState = readState(second)!;
      const nextFootprint = footprintOf(second, nextState);
      process.kill(nextState.owner.pid, 'SIGKILL');
      expectAllGone(nextFootprint, await waitUntilGone(nextFootprint, GONE_WITHIN_MS));
    },
    RUN_TIMEOUT_MS,
  );

  it('`run` reaps an ownerless stack before it starts (one line on stderr), and never a stack whose owner lives', async () => {
    // A crashed stack without a stack: its owner is dead, one of its components (a real process naming
    // the run's config folder) and one of its dirs are still there, and no watchdog is left.
    const runDir = join(root, 'ownerless-for-run');
    markers.push(runDir);
    const dir = join(runDir, 'db', 'a', 'data');
    mkdirSync(dir, { recursive: true });
    mkdirSync(configDirOf(runDir), { recursive: true });
    const component = spawn(
      process.execPath,
      [tiny, '--component', 'api@a', '--config', join(configDirOf(runDir), 'api@a.json')],
      { stdio: 'ignore', detached: true },
    );
    await new Promise((resolve) => component.once('spawn', resolve));
    component.unref();
    const componentId = identify(component.pid!);
    const owner = await deadProcess();
    const crashed = new StateFile({
      version: 1,
      runId: 'crashed-run',
      runDir,
      owner,
      ownerDescription: `pid ${owner.pid} (chaosbank run)`,
      phase: 'ready',
      createdAt: new Date().toISOString(),
      processes: [{ component: 'api@a', ...componentId, argv: [], logPath: '' }],
      dirs: [dir],
      ports: [],
      notes: [],
    });
    registerStack({ runId: 'crashed-run', runDir, owner, createdAt: crashed.current.createdAt }, home);
    // And a live one beside it: this test process owns it.
    const liveDir = join(root, 'live-owner');
    const live = new StateFile({
      ...crashed.current,
      runId: 'live-run',
      runDir: liveDir,
      owner: identify(process.pid),
      processes: [],
      dirs: [],
    });
    registerStack(
      { runId: 'live-run', runDir: liveDir, owner: live.current.owner, createdAt: live.current.createdAt },
      home,
    );
    try {
      const status = runCli(['status', '--json'], env);
      expect(await status.exited).toBe(0);
      const report = JSON.parse(status.stdout()) as { ownerless: { runId: string; remains: unknown }[] };
      expect(report.ownerless).toEqual([
        expect.objectContaining({ runId: 'crashed-run', remains: { processes: ['api@a'], dirs: [dir] } }),
      ]);

      // A run whose scenario is broken still reaps first (nothing of its own starts: exit 2).
      const run = runCli(['run', join(FIXTURES, 'broken.yaml'), '--out', join(root, 'broken-out')], env);
      expect(await run.exited).toBe(2);
      expect(
        run
          .stderr()
          .split('\n')
          .filter((l) => l.includes('reaped')),
      ).toEqual(['reaped 1 stack whose owner is gone: crashed-run']);
      expect(isAlive(componentId)).toBe(false);
      expect(existsSync(dir)).toBe(false);
      expect(listRegistered(home).entries.map((e) => e.runId)).toEqual(['live-run']);
      expect(readState(liveDir)!.phase).toBe('ready');
    } finally {
      unregisterStack('live-run', home); // `down` in afterEach would SIGTERM its owner: this test process
    }
  });
});

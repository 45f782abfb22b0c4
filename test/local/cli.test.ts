/**
 * `chaosbank up | status | down` through the real CLI (bin/chaosbank.js, built dist/), including a
 * harness crash (kill -9 of the CLI, of its detached supervisor and of the stack's watchdog) in the
 * middle of `up`, after which `chaosbank down` must leave nothing behind.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readState, type StackState } from '../../drivers/local/state.js';
import { downStacks } from '../../drivers/local/down.js';
import { isAlive } from '../../drivers/local/proc.js';
import { waitFor } from '../../drivers/local/wait.js';
import { leftovers } from './leftovers.js';

const bin = fileURLToPath(new URL('../../bin/chaosbank.js', import.meta.url));
const home = mkdtempSync(join(os.tmpdir(), 'chaosbank-cli-home-'));
const env = { ...process.env, CHAOSBANK_HOME: home, NO_COLOR: '1' };

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], timeoutMs = 90_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

afterAll(async () => {
  // Whatever a failed test left: the library down over the same registry.
  const previous = process.env.CHAOSBANK_HOME;
  process.env.CHAOSBANK_HOME = home;
  try {
    await downStacks();
  } finally {
    if (previous === undefined) delete process.env.CHAOSBANK_HOME;
    else process.env.CHAOSBANK_HOME = previous;
    rmSync(home, { recursive: true, force: true });
  }
}, 30_000);

describe('chaosbank up/status/down', () => {
  it('rejects bad flags with exit 2 before starting anything', async () => {
    const primary = await cli(['up', '--primary', 'mars']);
    expect(primary.code).toBe(2);
    expect(primary.stderr).toMatch(/--primary mars is not one of the regions/);
    const replication = await cli(['up', '--replication', 'maybe']);
    expect(replication.code).toBe(2);
    expect(replication.stderr).toMatch(/--replication/);
  });

  it('up returns with the stack running in the background; status shows it; down stops it', async () => {
    const runDir = join(home, 'runs', 'cli-up');
    const up = await cli([
      'up',
      '--json',
      '--regions',
      'us-east,eu-west',
      '--replication',
      'async',
      '--run-dir',
      runDir,
    ]);
    expect(up.code, up.stderr).toBe(0);
    const summary = JSON.parse(up.stdout) as {
      router: string;
      regions: Record<string, string>;
      toxiproxy: string;
      runDir: string;
    };
    expect(Object.keys(summary.regions)).toEqual(['us-east', 'eu-west']);
    expect(summary.runDir).toBe(runDir);
    const version = await fetch(`${summary.toxiproxy}/version`);
    expect(version.status).toBe(200);

    const status = await cli(['status', '--json']);
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as {
      running: boolean;
      status: { primary: string; epoch: number };
    };
    expect(report.running).toBe(true);
    expect(report.status.primary).toBe('us-east');

    const response = await fetch(`${summary.router}/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'cli-1' },
      body: JSON.stringify({ from: 'acc-0001', to: 'acc-0002', amount: 5, currency: 'USD' }),
    });
    expect(response.status).toBe(201);

    const recorded: StackState = readState(runDir)!;
    const down = await cli(['down', '--json']);
    expect(down.code, down.stderr).toBe(0);
    expect(await leftovers(runDir, recorded)).toEqual({ processes: [], openPorts: [], dirs: [] });
    expect(isAlive(recorded.owner)).toBe(false);

    const again = await cli(['down']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/no stack is running/);
  }, 120_000);

  it('after kill -9 of the harness (CLI, supervisor, watchdog) in the middle of up, down leaves nothing behind', async () => {
    const runDir = join(home, 'runs', 'cli-crash');
    const child = spawn(process.execPath, [bin, 'up', '--json', '--run-dir', runDir], {
      env,
      stdio: 'ignore',
    });
    try {
      // Wait until the state file lists running processes (the databases at least).
      const state = await waitFor(
        () => {
          const s = readState(runDir);
          return s && s.processes.some((p) => p.pid > 0) ? s : null;
        },
        { timeout: 60_000, interval: 50, description: 'the state file to list processes' },
      );
      // The stack's watchdog first (else it would tear the stack down itself: test/local/watchdog.test.ts),
      // then the CLI and the detached supervisor: `down` is the reaper of last resort.
      process.kill(state.watchdog!.pid, 'SIGKILL');
      child.kill('SIGKILL');
      process.kill(state.owner.pid, 'SIGKILL'); // the detached supervisor crashes too
      await waitFor(() => !isAlive(state.owner), { timeout: 5000, description: 'the supervisor to die' });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    // Read the records after the crash: whatever was started up to the kill is in there.
    const recorded: StackState = readState(runDir)!;
    expect(recorded.processes.length).toBeGreaterThan(0);

    const down = await cli(['down']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/reaped leftovers/);
    expect(await leftovers(runDir, readState(runDir) ?? recorded)).toEqual({
      processes: [],
      openPorts: [],
      dirs: [],
    });
    expect(await leftovers(runDir, recorded)).toEqual({ processes: [], openPorts: [], dirs: [] });
  }, 120_000);

  it('Ctrl-C during up tears everything down and exits 130', async () => {
    const runDir = join(home, 'runs', 'cli-sigint');
    const child = spawn(process.execPath, [bin, 'up', '--json', '--run-dir', runDir], {
      env,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    await waitFor(() => readState(runDir)?.processes.some((p) => p.pid > 0), {
      timeout: 60_000,
      interval: 50,
      description: 'the state file to list processes',
    });
    const recorded: StackState = readState(runDir)!;
    // The 5 s bound is the CLI's own (supervisor SIGTERM, 3.5 s wait, then teardown from the state file);
    // timing is a benchmark concern, not asserted here.
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(await leftovers(runDir, readState(runDir) ?? recorded)).toEqual({
      processes: [],
      openPorts: [],
      dirs: [],
    });
  }, 120_000);

  it('up --foreground stays attached and Ctrl-C stops the stack (exit 130)', async () => {
    const runDir = join(home, 'runs', 'cli-foreground');
    const child = spawn(
      process.execPath,
      [bin, 'up', '--foreground', '--json', '--regions', 'a,b', '--run-dir', runDir],
      {
        env,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    await waitFor(() => stdout.includes('"router"'), {
      timeout: 60_000,
      description: 'the endpoints on stdout',
    });
    const recorded: StackState = readState(runDir)!;
    expect(recorded.owner.pid).toBe(child.pid);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(await leftovers(runDir, recorded)).toEqual({ processes: [], openPorts: [], dirs: [] });
  }, 120_000);
});

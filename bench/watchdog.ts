/**
 * `npm run bench -- watchdog`: how long a local stack (three regions) outlives its owner. The owner is
 * `chaosbank up --foreground` in a process group of its own, like a shell job; each repetition
 * (CHAOSBANK_BENCH_REPS, default 3) kills it with `kill -9 <pid>` (the owner alone) and with
 * `kill -9 -<pgid>` (its whole group), then polls every 10 ms until none of the stack's processes,
 * listening ports, /dev/shm entries or directories remains. Reported per kind: time from the kill until
 * everything was gone (p50/max), and the part the watchdog itself logged for its teardown. Target: 10 s.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './run.js';
import { downStacks } from '../drivers/local/down.js';
import { footprintOf, waitUntilGone } from '../drivers/local/footprint.js';
import { readState } from '../drivers/local/state.js';
import { waitFor } from '../drivers/local/wait.js';

const bin = fileURLToPath(new URL('../../bin/chaosbank.js', import.meta.url));
const TARGET_MS = 10_000;

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;

type Kind = 'owner' | 'group';

interface Sample {
  /** Kill to nothing left, ms; null when something was still there after 30 s. */
  goneMs: number | null;
  /** The watchdog's own figure: owner noticed gone to teardown done ("reaped in N ms"). */
  watchdogTeardownMs: number | null;
  remains: string[];
}

async function sample(home: string, kind: Kind, i: number): Promise<Sample> {
  const runDir = join(home, 'runs', `${kind}-${i}`);
  const child = spawn(process.execPath, [bin, 'up', '--foreground', '--json', '--run-dir', runDir], {
    env: { ...process.env, CHAOSBANK_HOME: home, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: true,
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<unknown>((resolve) => child.once('close', resolve));
  await waitFor(() => stdout.includes('"router"'), { timeout: 120_000, description: 'the stack to be up' });
  const footprint = footprintOf(runDir, readState(runDir)!);
  const t0 = performance.now();
  process.kill(kind === 'group' ? -child.pid! : child.pid!, 'SIGKILL');
  const remains = await waitUntilGone(footprint, 30_000, 10);
  const goneMs = remains.length === 0 ? Math.round(performance.now() - t0) : null;
  await exited;
  return { goneMs, watchdogTeardownMs: watchdogFigure(runDir), remains };
}

function watchdogFigure(runDir: string): number | null {
  try {
    const log = readFileSync(join(runDir, 'logs', 'watchdog.log'), 'utf8');
    const match = / in (\d+) ms: stopped /.exec(log);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

export async function run(): Promise<BenchResult> {
  const reps = Number(process.env.CHAOSBANK_BENCH_REPS ?? 3);
  const home = mkdtempSync(join(os.tmpdir(), 'chaosbank-bench-watchdog-'));
  const samples: Record<Kind, Sample[]> = { owner: [], group: [] };
  const loadAtStart = os.loadavg();
  try {
    for (let i = 0; i < reps; i++)
      for (const kind of ['owner', 'group'] as const) samples[kind].push(await sample(home, kind, i));
  } finally {
    const previous = process.env.CHAOSBANK_HOME;
    process.env.CHAOSBANK_HOME = home;
    await downStacks().catch(() => undefined);
    if (previous === undefined) delete process.env.CHAOSBANK_HOME;
    else process.env.CHAOSBANK_HOME = previous;
    rmSync(home, { recursive: true, force: true });
  }
  const figures = (kind: Kind) => {
    const gone = samples[kind].map((s) => s.goneMs);
    const measured = gone.filter((ms): ms is number => ms !== null);
    return {
      goneAfterKill: {
        p50Ms: measured.length > 0 ? p50(measured) : null,
        maxMs: measured.length === gone.length ? Math.max(...measured) : null,
        runsMs: gone,
      },
      watchdogTeardownMs: samples[kind].map((s) => s.watchdogTeardownMs),
      remainsAfter30s: samples[kind].flatMap((s) => s.remains),
    };
  };
  const owner = figures('owner');
  const group = figures('group');
  const met = (f: ReturnType<typeof figures>) =>
    f.goneAfterKill.maxMs !== null && f.goneAfterKill.maxMs <= TARGET_MS;
  return {
    regions: 3,
    repetitions: reps,
    loadAverage: { start: loadAtStart, end: os.loadavg() },
    killOwner: owner,
    killProcessGroup: group,
    targets: {
      'kill -9 of the owner: everything gone within 10 s (max)': {
        target: `<= ${TARGET_MS} ms`,
        value: owner.goneAfterKill.maxMs,
        met: met(owner),
      },
      'kill -9 of its process group: everything gone within 10 s (max)': {
        target: `<= ${TARGET_MS} ms`,
        value: group.goneAfterKill.maxMs,
        met: met(group),
      },
    },
  };
}

/**
 * `npm run bench -- local`: wall time of `up` (three regions, sync) and of `down` for the local driver,
 * via the library and via the CLI, a few repetitions each (CHAOSBANK_BENCH_REPS, default 3), p50/max,
 * plus where `up` spends its time (the driver's step log, PostgreSQL phases included). The bench runs in
 * a fresh CHAOSBANK_HOME: its first `up` is cold (no template: initdb + schema, then the template is
 * saved) and reported apart; the measured repetitions reuse the template, as every `up` after the first
 * on a machine does. Targets (warm): up <= 5 s, down <= 2 s.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './run.js';
import { startLocalStack } from '../drivers/local/driver.js';
import { topologyFromFlags } from '../src/scenario/topology-from-flags.js';
import { downStacks } from '../drivers/local/down.js';
import { ramDirRoot } from '../drivers/local/ram-dirs.js';

const bin = fileURLToPath(new URL('../../bin/chaosbank.js', import.meta.url));

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
const max = (xs: number[]) => Math.max(...xs);
const summary = (xs: number[]) => ({
  p50Ms: Math.round(p50(xs)),
  maxMs: Math.round(max(xs)),
  runsMs: xs.map(Math.round),
});

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: 'ignore' });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(0) : reject(new Error(`chaosbank ${args[0]} exited ${code}`)),
    );
  });
}

export async function run(): Promise<BenchResult> {
  const reps = Number(process.env.CHAOSBANK_BENCH_REPS ?? 3);
  const home = mkdtempSync(join(os.tmpdir(), 'chaosbank-bench-'));
  const previousHome = process.env.CHAOSBANK_HOME;
  process.env.CHAOSBANK_HOME = home;
  const lib = { up: [] as number[], down: [] as number[] };
  const viaCli = { up: [] as number[], down: [] as number[] };
  const cliPhases: CliPhases[] = [];
  const steps: Record<string, number[]> = {};
  const cold: { upMs: number; downMs: number; steps: Record<string, number> } = {
    upMs: NaN,
    downMs: NaN,
    steps: {},
  };
  const loadAtStart = os.loadavg();
  try {
    // Cold: no template yet in this fresh home.
    {
      const topology = topologyFromFlags({ runId: `bench-cold-${process.pid}` });
      const messages: string[] = [];
      let t = performance.now();
      const stack = await startLocalStack(topology, {
        runDir: join(home, 'runs', topology.runId),
        log: (m) => messages.push(m),
      });
      cold.upMs = Math.round(performance.now() - t);
      t = performance.now();
      await stack.down();
      cold.downMs = Math.round(performance.now() - t);
      for (const [name, ms] of parseSteps(messages)) cold.steps[name] = ms;
    }
    for (let i = 0; i < reps; i++) {
      const topology = topologyFromFlags({ runId: `bench-lib-${i}-${process.pid}` });
      const messages: string[] = [];
      let t = performance.now();
      const stack = await startLocalStack(topology, {
        runDir: join(home, 'runs', topology.runId),
        log: (m) => messages.push(m),
      });
      lib.up.push(performance.now() - t);
      t = performance.now();
      await stack.down();
      lib.down.push(performance.now() - t);
      for (const [name, ms] of parseSteps(messages)) (steps[name] ??= []).push(ms);
    }
    const env = { ...process.env, CHAOSBANK_HOME: home, NO_COLOR: '1' };
    for (let i = 0; i < reps; i++) {
      let t = performance.now();
      const runDir = join(home, 'runs', `bench-cli-${i}`);
      const upStart = Date.now();
      await cli(['up', '--json', '--run-dir', runDir], env);
      viaCli.up.push(performance.now() - t);
      const upEnd = Date.now();
      t = performance.now();
      await cli(['down'], env);
      viaCli.down.push(performance.now() - t);
      cliPhases.push(supervisorPhases(join(runDir, 'logs', 'supervisor.log'), upStart, upEnd));
    }
  } finally {
    await downStacks().catch(() => undefined);
    if (previousHome === undefined) delete process.env.CHAOSBANK_HOME;
    else process.env.CHAOSBANK_HOME = previousHome;
    rmSync(home, { recursive: true, force: true });
  }
  const stepP50 = Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, Math.round(p50(v))]));
  return {
    regions: 3,
    replication: 'sync',
    repetitions: reps,
    // 1/5/15-minute load averages when the bench started and ended (2 cores: above 2 means queueing).
    loadAverage: { start: loadAtStart, end: os.loadavg() },
    dataDirsOnTmpfs: (await ramDirRoot()) !== null,
    coldUp: cold,
    library: { up: summary(lib.up), down: summary(lib.down) },
    cli: {
      up: summary(viaCli.up),
      down: summary(viaCli.down),
      // Where the CLI's time beyond the library goes, per run: CLI start -> the supervisor's first log
      // line (CLI and supervisor start-up), -> its `ready` line, -> the CLI's exit (noticing readiness).
      upPhasesMs: cliPhases,
    },
    upStepsCumulativeP50Ms: stepP50,
    targets: {
      'library up p50 <= 5 s': {
        target: '<= 5000 ms',
        value: Math.round(p50(lib.up)),
        met: p50(lib.up) <= 5000,
      },
      'library down p50 <= 2 s': {
        target: '<= 2000 ms',
        value: Math.round(p50(lib.down)),
        met: p50(lib.down) <= 2000,
      },
      'cli up p50 <= 5 s': {
        target: '<= 5000 ms',
        value: Math.round(p50(viaCli.up)),
        met: p50(viaCli.up) <= 5000,
      },
      'cli down p50 <= 2 s': {
        target: '<= 2000 ms',
        value: Math.round(p50(viaCli.down)),
        met: p50(viaCli.down) <= 2000,
      },
    },
  };
}

interface CliPhases {
  toSupervisorFirstLog: number | null;
  toSupervisorReady: number | null;
  readyToCliExit: number | null;
}

/** Offsets (ms from the CLI's start) of the supervisor's first and `ready` log lines (ISO timestamps). */
function supervisorPhases(logFile: string, upStart: number, upEnd: number): CliPhases {
  let text = '';
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return { toSupervisorFirstLog: null, toSupervisorReady: null, readyToCliExit: null };
  }
  const lines = text.trim().split('\n');
  const at = (line: string | undefined) => (line === undefined ? NaN : Date.parse(line.slice(0, 24)));
  const first = at(lines[0]);
  const ready = at(lines.find((l) => l.includes(' ready: router ')));
  const ok = (n: number) => (Number.isFinite(n) ? n : null);
  return {
    toSupervisorFirstLog: ok(first - upStart),
    toSupervisorReady: ok(ready - upStart),
    readyToCliExit: ok(upEnd - ready),
  };
}

/** "postgres cluster streaming (+6168 ms)" -> [name, cumulative ms] for every step of up (not down). */
function parseSteps(messages: string[]): [string, number][] {
  const steps: [string, number][] = [];
  for (const m of messages) {
    const match = /^(.*) \(\+(\d+) ms\)$/.exec(m);
    if (match && !m.startsWith('down') && !m.startsWith('teardown'))
      steps.push([
        match[1]!.replace(/ http.*$/, '').replace(/template [0-9a-f]+/, 'template'),
        Number(match[2]),
      ]);
  }
  return steps;
}

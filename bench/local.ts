/**
 * `npm run bench -- local`: wall time of `up` (three regions, sync) and of `down` for the local driver,
 * via the library and via the CLI, a few repetitions each (CHAOSBANK_BENCH_REPS, default 3), p50/max,
 * plus where `up` spends its time (the driver's step log). Targets: up <= 5 s, down <= 2 s.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './run.js';
import { startLocalStack } from '../drivers/local/driver.js';
import { topologyFromFlags } from '../drivers/local/plan.js';
import { downStacks } from '../drivers/local/down.js';

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
  const steps: Record<string, number[]> = {};
  try {
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
      // "postgres cluster streaming (+6168 ms)" -> cumulative milliseconds per step of up.
      for (const m of messages) {
        const match = /^(.*) \(\+(\d+) ms\)$/.exec(m);
        if (match && !m.startsWith('down') && !m.startsWith('teardown'))
          (steps[match[1]!.replace(/ http.*$/, '')] ??= []).push(Number(match[2]));
      }
    }
    const env = { ...process.env, CHAOSBANK_HOME: home, NO_COLOR: '1' };
    for (let i = 0; i < reps; i++) {
      let t = performance.now();
      await cli(['up', '--json', '--run-dir', join(home, 'runs', `bench-cli-${i}`)], env);
      viaCli.up.push(performance.now() - t);
      t = performance.now();
      await cli(['down'], env);
      viaCli.down.push(performance.now() - t);
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
    loadAverage: os.loadavg(),
    library: { up: summary(lib.up), down: summary(lib.down) },
    cli: { up: summary(viaCli.up), down: summary(viaCli.down) },
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

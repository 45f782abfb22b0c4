/**
 * CLI startup: wall time of `node bin/chaosbank.js --help` and of validating one scenario, each
 * spawned N times (after warm-up runs), against bare `node` as the floor. Target: --help p50 < 300 ms.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './run.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = 20;
const WARMUP = 2;
const TARGET_MS = 300;

function timeOnce(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: 'ignore',
      env: { ...process.env, NO_COLOR: '1' },
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`node ${args.join(' ')} exited with ${code}`));
    });
  });
}

interface Summary {
  runs: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(args: string[]): Promise<Summary> {
  for (let i = 0; i < WARMUP; i++) await timeOnce(args);
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await timeOnce(args));
  samples.sort((a, b) => a - b);
  const round = (ms: number): number => Math.round(ms * 10) / 10;
  return {
    runs: RUNS,
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    min: round(samples[0]!),
    max: round(samples.at(-1)!),
  };
}

export async function run(): Promise<BenchResult> {
  const nodeFloor = await measure(['-e', '']);
  const help = await measure(['bin/chaosbank.js', '--help']);
  const validate = await measure(['bin/chaosbank.js', 'validate', 'scenarios/region-outage.yaml']);
  return {
    unit: 'ms (wall time, spawned process)',
    nodeFloor,
    help,
    validate,
    targets: {
      'help p50': { target: `< ${TARGET_MS} ms`, value: help.p50, met: help.p50 < TARGET_MS },
    },
  };
}

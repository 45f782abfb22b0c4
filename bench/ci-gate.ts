/**
 * CI gate wall time: `chaosbank run scenarios/ci-gate.yaml` (>= 30 s of load) spawned as CI would run
 * it, timed from the command to the verdict (the process exit, reports written and stack torn down).
 * Also records the per-phase split from report.json. Target: <= 60 s. One run by default
 * (CHAOSBANK_BENCH_RUNS=N for more); a run that does not finish with a verdict (exit 0 or 1) is an error.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunReport } from '../src/run/run-report.js';
import type { BenchResult } from './run.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TARGET_S = 60;

interface Sample {
  wallS: number;
  exitCode: number;
  status: string;
  phasesS: Record<string, number>;
  mttrS: number | null;
  attempts: number | null;
}

function runOnce(scratch: string, index: number): Promise<Sample> {
  const out = join(scratch, `run-${index}`);
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(
      process.execPath,
      [
        join(root, 'bin', 'chaosbank.js'),
        'run',
        join(root, 'scenarios', 'ci-gate.yaml'),
        '--out',
        out,
        '--quiet',
        '--seed',
        '1',
      ],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, NO_COLOR: '1', CHAOSBANK_HOME: join(scratch, 'home') },
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const wallS = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0 && code !== 1) {
        reject(new Error(`chaosbank run exited with ${code}:\n${stderr.slice(-2000)}`));
        return;
      }
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
      const phasesS = Object.fromEntries(
        report.phases.map((p) => [p.name, Number((((p.end ?? p.start) - p.start) / 1000).toFixed(2))]),
      );
      resolve({
        wallS: Number(wallS.toFixed(2)),
        exitCode: code,
        status: report.run.status,
        phasesS,
        mttrS: report.verdict?.metrics.mttr_s ?? null,
        attempts: report.verdict?.metrics.attempts ?? null,
      });
    });
  });
}

export async function run(): Promise<BenchResult> {
  const runs = Math.max(1, Number(process.env.CHAOSBANK_BENCH_RUNS ?? 1));
  const scratch = mkdtempSync(join(tmpdir(), 'cb-bench-ci-gate-'));
  try {
    const samples: Sample[] = [];
    for (let i = 0; i < runs; i++) samples.push(await runOnce(scratch, i));
    const walls = samples.map((s) => s.wallS).sort((a, b) => a - b);
    const worst = walls.at(-1)!;
    return {
      scenario: 'scenarios/ci-gate.yaml',
      command: 'node bin/chaosbank.js run scenarios/ci-gate.yaml --quiet --seed 1',
      runs,
      wallSeconds: { min: walls[0]!, median: walls[Math.floor(walls.length / 2)]!, max: worst },
      samples,
      targets: {
        commandToVerdictSeconds: { target: `<= ${TARGET_S}`, value: worst, met: worst <= TARGET_S },
      },
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Fault timing: how late each fault takes effect after its scheduled instant (`at`), on the real path:
 * `runScenario()` on every shipped scenario (scenarios/*.yaml) — a started local stack, the scenario's
 * load from the embedded engine, the fault timeline and the injector against the embedded Toxiproxy,
 * all in this process as in `chaosbank run`. To keep it short, each scenario's faults are repeated
 * BENCH_FAULT_TIMING_REPEATS times (default 4), one every 4 s from 3 s on and held 2 s, and the load
 * lasts just past the last one. Figures: applied - scheduled (`appliedAt - scheduledAt` of each
 * `fault.applied` event) and reverted - scheduled revert, p50/p99/max. Target: p99 <= 50 ms.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { runScenario } from '../src/run/run-scenario.js';
import { measurePhase, type PhaseLoad } from './_machine-load.js';
import type { BenchResult } from './run.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REPEATS = Math.max(1, Number(process.env.BENCH_FAULT_TIMING_REPEATS ?? 4));
const FIRST_AT_MS = 3000;
const EVERY_MS = 4000;
const HOLD_MS = 2000;
const TARGET_P99_MS = 50;

interface ScenarioFigures {
  scenario: string;
  status: string;
  /** Faults the shortened schedule holds. */
  scheduled: number;
  /** applied - scheduled per fault, ms. */
  applyLateMs: number[];
  /** reverted - scheduled revert per fault, ms. */
  revertLateMs: number[];
  load: PhaseLoad;
  loadAverage1m: number;
}

function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function summary(samples: number[]): {
  n: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
} {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? null,
  };
}

/** The shipped scenario, its faults repeated on a short schedule, no abort conditions. */
function shortened(text: string): string {
  const scenario = parse(text) as Record<string, unknown> & {
    faults?: Array<Record<string, unknown>>;
    load: Record<string, unknown>;
  };
  const faults = scenario.faults ?? [];
  scenario.faults = Array.from({ length: REPEATS }, (_, k) =>
    faults.map((fault, i) => ({
      ...fault,
      name: `${typeof fault.name === 'string' ? fault.name : `fault ${i + 1}`} #${k + 1}`,
      at: `${FIRST_AT_MS + k * EVERY_MS}ms`,
      duration: `${HOLD_MS}ms`,
      until: undefined,
    })),
  ).flat();
  scenario.load.duration = `${FIRST_AT_MS + REPEATS * EVERY_MS}ms`;
  delete scenario.load.stages;
  scenario.steadyState = { duration: '1s', successRate: 0.5, timeout: '20s' };
  scenario.heal = { timeout: '10s' };
  scenario.settle = { timeout: '10s' };
  scenario.aborts = [];
  return stringify(scenario);
}

async function measure(file: string, scratch: string): Promise<ScenarioFigures> {
  const path = join(scratch, file);
  const text = shortened(readFileSync(join(root, 'scenarios', file), 'utf8'));
  writeFileSync(path, text);
  const { result, load } = await measurePhase([], () =>
    runScenario({ scenarioPath: path, out: join(scratch, `out-${file}`), seed: 1, quiet: true }),
  );
  const events = result.report.events;
  const late = (type: string, at: string): number[] =>
    events
      .filter((e) => e.type === type && typeof e.data?.scheduledAt === 'number')
      .map((e) => Number(((e.data![at] as number) - (e.data!.scheduledAt as number)).toFixed(1)));
  return {
    scenario: `scenarios/${file}`,
    status: result.status,
    scheduled: ((parse(text) as { faults?: unknown[] }).faults ?? []).length,
    applyLateMs: late('fault.applied', 'appliedAt'),
    revertLateMs: late('fault.reverted', 'revertedAt'),
    load,
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
  };
}

export async function run(): Promise<BenchResult> {
  const scratch = mkdtempSync(join(tmpdir(), 'cb-bench-fault-timing-'));
  process.env.CHAOSBANK_HOME ??= join(scratch, 'home');
  const files = readdirSync(join(root, 'scenarios'))
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  try {
    const scenarios: ScenarioFigures[] = [];
    for (const file of files) {
      process.stderr.write(`  ${file}...\n`);
      scenarios.push(await measure(file, scratch));
    }
    const apply = summary(scenarios.flatMap((s) => s.applyLateMs));
    const revert = summary(scenarios.flatMap((s) => s.revertLateMs));
    const expected = scenarios.reduce((n, s) => n + s.scheduled, 0);
    return {
      schedule: { repeats: REPEATS, firstAtMs: FIRST_AT_MS, everyMs: EVERY_MS, holdMs: HOLD_MS },
      appliedMinusScheduledMs: apply,
      revertedMinusScheduledMs: revert,
      scenarios,
      targets: {
        'applied - scheduled p99 ms': {
          target: `<= ${TARGET_P99_MS} (every scheduled fault applied)`,
          value: apply.p99,
          met: apply.p99 !== null && apply.p99 <= TARGET_P99_MS && apply.n >= expected,
        },
      },
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

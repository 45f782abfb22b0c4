/**
 * The sensitivity matrix, end to end on the real stack through the real CLI: every seeded-bug scenario
 * (scenarios/bugs/) must be caught by the checker it names — exit 1, the named anomaly counted in
 * report.json, the gate on its metric failed — and the correct stack under the same load and faults (the
 * same file with `bugs: []`) must show no anomaly. Plus the RPO rows: a primary-region outage with sync
 * replication loses nothing (RPO 0); with async it loses acknowledged writes, reported as an RPO breach.
 *
 * Rows run one after another (2 cores; each run is a 2-3 region stack with PostgreSQL servers). Each run
 * is bounded (SIGINT, then SIGKILL) and must leave no process behind. Needs `npm run build`.
 * Set CHAOSBANK_MATRIX_OUT=<file.json> to keep the measured figures (docs/sensitivity-matrix.md), and
 * CHAOSBANK_MATRIX_SEED to change the workload seed (default 1).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomalyType } from '../../src/checks/verdict.js';
import type { RunReport } from '../../src/run/run-report.js';
import type { SeededBug } from '../../src/contract/seeded-bugs.js';
import type { Replication } from '../../src/contract/topology.js';
import { processesMentioning } from '../local/leftovers.js';
import { MATRIX, RPO_SCENARIO, type MatrixRow } from './matrix.js';
import { runCli, type CliRun } from './run-cli.js';
import { writeVariant } from './variant.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SEED = Number(process.env.CHAOSBANK_MATRIX_SEED ?? '1');
/** One run: ~10 s provision + steady state + 10-16 s load + heal/settle; generous for a busy machine. */
const RUN_LIMIT_MS = 240_000;
const TEST_LIMIT_MS = RUN_LIMIT_MS + 45_000;

interface Measured {
  row: string;
  variant: 'bug' | 'twin' | 'sync' | 'async';
  scenario: string;
  bugs: string[];
  replication: string;
  exitCode: number | null;
  wallS: number;
  anomalies: Partial<Record<AnomalyType, number>>;
  metrics: Record<string, number | null | undefined>;
  failedGates: string[];
}

let temp: string;
const measured: Measured[] = [];

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'src', 'run', 'run-scenario.js')))
    await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, timeout: 180_000 });
  temp = await mkdtemp(join(tmpdir(), 'chaosbank-matrix-'));
}, 200_000);

afterAll(async () => {
  if (process.env.CHAOSBANK_MATRIX_OUT)
    await writeFile(process.env.CHAOSBANK_MATRIX_OUT, `${JSON.stringify(measured, null, 2)}\n`);
  if (temp) await rm(temp, { recursive: true, force: true });
});

/** Anomaly counts by type, from every checker of the verdict. */
function anomalyCounts(report: RunReport): Partial<Record<AnomalyType, number>> {
  const counts: Partial<Record<AnomalyType, number>> = {};
  for (const checker of report.verdict?.checkers ?? [])
    for (const summary of checker.anomalies)
      counts[summary.type] = (counts[summary.type] ?? 0) + summary.count;
  return counts;
}

/** What a failing assertion should show: the run's reason, notes and the tail of stderr. */
function describeRun(run: CliRun): string {
  const report = run.report?.run;
  return [
    `exit ${run.exitCode}${run.signal ? ` (signal ${run.signal})` : ''}${run.timedOut ? ' TIMED OUT' : ''}`,
    `status ${report?.status ?? 'no report'}: ${report?.reason ?? ''}`,
    `anomalies ${JSON.stringify(run.report ? anomalyCounts(run.report) : null)}`,
    `notes ${JSON.stringify(run.report?.notes ?? [])}`,
    `stderr: ${run.stderr.slice(-2000)}`,
  ].join('\n');
}

async function runVariant(
  row: string,
  variant: Measured['variant'],
  scenario: string,
  edit?: { bugs?: SeededBug[]; replication?: Replication },
): Promise<RunReport> {
  const path =
    edit === undefined
      ? join(root, scenario)
      : await writeVariant(join(root, scenario), temp, { ...edit, label: variant });
  const out = join(temp, `${row}.${variant}`);
  const run = await runCli({
    root,
    scenario: path,
    out,
    seed: SEED,
    home: join(temp, 'home'),
    timeoutMs: RUN_LIMIT_MS,
  });
  expect(run.timedOut, describeRun(run)).toBe(false);
  expect(processesMentioning(out), 'processes left behind by the run').toEqual([]);
  expect(run.report, describeRun(run)).toBeDefined();
  const report = run.report!;
  // a run that did not get to check (infrastructure error, crash) proves nothing either way
  expect(report.verdict, describeRun(run)).not.toBeNull();
  expect(report.run.status, describeRun(run)).not.toBe('error');
  measured.push({
    row,
    variant,
    scenario: edit === undefined ? scenario : `${scenario} (${JSON.stringify(edit)})`,
    bugs: report.topology.bugs,
    replication: report.topology.replication,
    exitCode: run.exitCode,
    wallS: Math.round(run.wallMs / 100) / 10,
    anomalies: anomalyCounts(report),
    metrics: report.verdict!.metrics,
    failedGates: report.gates.filter((g) => !g.passed).map((g) => g.gate),
  });
  Object.assign(report, { exitCodeOfCli: run.exitCode, describe: describeRun(run) });
  return report;
}

const cliExit = (report: RunReport): number | null =>
  (report as RunReport & { exitCodeOfCli: number | null }).exitCodeOfCli;
const explain = (report: RunReport): string => (report as RunReport & { describe: string }).describe;

function expectCaught(row: MatrixRow, report: RunReport): void {
  const why = explain(report);
  expect(report.topology.bugs, why).toEqual([row.bug]);
  expect(cliExit(report), why).toBe(1);
  expect(report.run.status, why).toBe('failed');
  const checker = report.verdict!.checkers.find((c) => c.name === row.checker);
  expect(checker, why).toBeDefined();
  expect(checker!.passed, why).toBe(false);
  const named = checker!.anomalies.find((a) => a.type === row.anomaly);
  expect(named?.count ?? 0, why).toBeGreaterThan(0);
  expect(named!.examples.length, 'evidence for a person to act on').toBeGreaterThan(0);
  expect(report.verdict!.metrics[row.metric] ?? 0, why).toBeGreaterThan(0);
  const gate = report.gates.find((g) => g.metric === row.metric);
  expect(gate?.passed, `the scenario gates on ${row.metric} and that gate fails\n${why}`).toBe(false);
}

function expectClean(row: MatrixRow, report: RunReport): void {
  const why = explain(report);
  expect(report.topology.bugs, why).toEqual([]);
  expect(report.verdict!.metrics[row.metric], why).toBe(0);
  const tolerated = new Set<AnomalyType>(row.twinTolerates?.anomalies ?? []);
  const unexpected = Object.entries(anomalyCounts(report)).filter(
    ([type, count]) => count > 0 && !tolerated.has(type as AnomalyType),
  );
  expect(unexpected, why).toEqual([]);
  if (tolerated.size === 0) {
    expect(report.verdict!.metrics.anomalies, why).toBe(0);
    expect(cliExit(report), why).toBe(0);
    expect(report.run.status, why).toBe('passed');
  }
}

describe.sequential('sensitivity matrix (real stack, real CLI)', () => {
  for (const row of MATRIX) {
    it(
      `${row.bug}: ${row.scenario} is caught by the ${row.checker} checker (${row.anomaly})`,
      async () => {
        expectCaught(row, await runVariant(row.bug, 'bug', row.scenario));
      },
      TEST_LIMIT_MS,
    );
    it(
      `${row.bug}: the correct stack (bugs: []) under the same load and faults has no ${row.twinTolerates ? 'anomaly beyond async RPO' : 'anomaly'}`,
      async () => {
        expectClean(row, await runVariant(row.bug, 'twin', row.scenario, { bugs: [] }));
      },
      TEST_LIMIT_MS,
    );
  }

  it(
    'RPO: sync replication under a primary-region outage loses nothing (RPO 0)',
    async () => {
      const report = await runVariant('primary-region-outage', 'sync', RPO_SCENARIO, {
        bugs: [],
        replication: 'sync',
      });
      const why = explain(report);
      expect(
        report.events.some((e) => e.type === 'failover.promoted'),
        `a failover happened\n${why}`,
      ).toBe(true);
      expect(report.verdict!.metrics.lost_writes, why).toBe(0);
      expect(report.verdict!.metrics.rpo_s, why).toBe(0);
      expect(report.verdict!.metrics.anomalies, why).toBe(0);
      expect(cliExit(report), why).toBe(0);
    },
    TEST_LIMIT_MS,
  );

  it(
    'RPO: async replication under the same outage loses acknowledged writes, reported as an RPO breach',
    async () => {
      const report = await runVariant('primary-region-outage', 'async', RPO_SCENARIO, {
        bugs: [],
        replication: 'async',
      });
      const why = explain(report);
      const promoted = report.events.find((e) => e.type === 'failover.promoted');
      expect(promoted, `a failover happened\n${why}`).toBeDefined();
      expect(report.verdict!.metrics.lost_writes ?? 0, why).toBeGreaterThan(0);
      expect(report.verdict!.metrics.rpo_s ?? 0, why).toBeGreaterThan(0);
      const rpo = report.verdict!.checkers.find((c) => c.name === 'rpo');
      expect(rpo?.passed, why).toBe(false);
      expect(report.gates.find((g) => g.metric === 'rpo_s')?.passed, why).toBe(false);
      // the loss is what async replication allows, not a money bug: nothing duplicated or unbalanced
      for (const metric of [
        'duplicates',
        'unbalanced_entries',
        'conservation_violations',
        'split_brain',
      ] as const)
        expect(report.verdict!.metrics[metric], `${metric}\n${why}`).toBe(0);
      expect(cliExit(report), why).toBe(1);
    },
    TEST_LIMIT_MS,
  );
});

/**
 * Comparing runs: the failover report SRE teams hand on. One row per run (MTTR, RPO, p99, success
 * rate, anomalies), regressions against the first (baseline) run, and — for drills or many runs of one
 * scenario — p50/p95/max of MTTR and a trend over time. Pure: RunReports in, Comparison out.
 */
import type { RunReport, RunStatus } from '../run/run-report.js';

export const COMPARED_METRICS = [
  'mttr_s',
  'outage_s',
  'rpo_s',
  'p99_ms',
  'success_rate',
  'anomalies',
  'lost_writes',
  'duplicates',
] as const;
export type ComparedMetric = (typeof COMPARED_METRICS)[number];

export interface ComparisonRow {
  runId: string;
  scenario: string;
  startedAt: string;
  status: RunStatus;
  seed: number;
  metrics: Record<ComparedMetric, number | null>;
  anomalyTypes: Record<string, number>;
  failedGates: string[];
}

export interface Regression {
  runId: string;
  metric: ComparedMetric | 'status';
  baseline: number | string | null;
  actual: number | string | null;
  /** Why it counts as a regression, in a sentence. */
  reason: string;
}

export interface Distribution {
  n: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export interface Comparison {
  schemaVersion: 1;
  baseline: string;
  rows: ComparisonRow[];
  regressions: Regression[];
  /** Per scenario: the spread of MTTR (and RPO, p99) over its runs. */
  distributions: Record<string, Partial<Record<ComparedMetric, Distribution>>>;
}

/** How much worse a metric must get before it is called a regression (noise is not news). */
const TOLERANCE: Record<ComparedMetric, { higherIsWorse: boolean; relative: number; absolute: number }> = {
  mttr_s: { higherIsWorse: true, relative: 0.2, absolute: 1 },
  outage_s: { higherIsWorse: true, relative: 0.2, absolute: 1 },
  rpo_s: { higherIsWorse: true, relative: 0, absolute: 0 },
  p99_ms: { higherIsWorse: true, relative: 0.25, absolute: 50 },
  success_rate: { higherIsWorse: false, relative: 0, absolute: 0.005 },
  anomalies: { higherIsWorse: true, relative: 0, absolute: 0 },
  lost_writes: { higherIsWorse: true, relative: 0, absolute: 0 },
  duplicates: { higherIsWorse: true, relative: 0, absolute: 0 },
};

export function comparisonRow(report: RunReport): ComparisonRow {
  const m = (report.verdict?.metrics ?? {}) as Partial<Record<string, number | null>>;
  const anomalyTypes: Record<string, number> = {};
  for (const checker of report.verdict?.checkers ?? [])
    for (const a of checker.anomalies)
      if (a.count > 0) anomalyTypes[a.type] = (anomalyTypes[a.type] ?? 0) + a.count;
  return {
    runId: report.run.id,
    scenario: report.run.scenario.name,
    startedAt: report.run.startedAt,
    status: report.run.status,
    seed: report.run.seed,
    metrics: Object.fromEntries(COMPARED_METRICS.map((k) => [k, m[k] ?? null])) as Record<
      ComparedMetric,
      number | null
    >,
    anomalyTypes,
    failedGates: report.gates.filter((g) => !g.passed).map((g) => g.gate),
  };
}

export function isRegression(
  metric: ComparedMetric,
  baseline: number | null,
  actual: number | null,
): boolean {
  if (actual === null) return baseline !== null && metric === 'mttr_s'; // recovered before, not now
  if (baseline === null) return false;
  const t = TOLERANCE[metric];
  const worseBy = t.higherIsWorse ? actual - baseline : baseline - actual;
  return worseBy > Math.max(t.absolute, Math.abs(baseline) * t.relative);
}

export function compareReports(reports: readonly RunReport[]): Comparison {
  if (reports.length === 0) throw new Error('compareReports needs at least one report');
  const rows = reports.map(comparisonRow);
  const base = rows[0]!;
  const regressions: Regression[] = [];
  for (const row of rows.slice(1)) {
    if (base.status === 'passed' && row.status !== 'passed')
      regressions.push({
        runId: row.runId,
        metric: 'status',
        baseline: base.status,
        actual: row.status,
        reason: `the baseline passed, this run ${row.status}`,
      });
    for (const metric of COMPARED_METRICS) {
      const b = base.metrics[metric];
      const a = row.metrics[metric];
      if (isRegression(metric, b, a))
        regressions.push({
          runId: row.runId,
          metric,
          baseline: b,
          actual: a,
          reason:
            a === null ? `${metric} was measured in the baseline, not in this run` : `${metric} ${b} -> ${a}`,
        });
    }
  }
  const distributions: Comparison['distributions'] = {};
  for (const scenario of new Set(rows.map((r) => r.scenario))) {
    const mine = rows.filter((r) => r.scenario === scenario);
    distributions[scenario] = {
      mttr_s: distribution(mine.map((r) => r.metrics.mttr_s)),
      rpo_s: distribution(mine.map((r) => r.metrics.rpo_s)),
      p99_ms: distribution(mine.map((r) => r.metrics.p99_ms)),
    };
  }
  return { schemaVersion: 1, baseline: base.runId, rows, regressions, distributions };
}

/** Nearest-rank percentiles over the values that were measured. */
export function distribution(values: ReadonlyArray<number | null>): Distribution {
  const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const pick = (p: number): number | null =>
    sorted.length === 0
      ? null
      : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { n: sorted.length, p50: pick(0.5), p95: pick(0.95), max: sorted.at(-1) ?? null };
}

/**
 * The console summary at the end of a run: the object `chaosbank run --json` prints, and its text
 * form (verdict, gates, anomalies, where the reports are).
 */
import { notMeasuredReason } from '../checks/not-measured.js';
import type { MetricName } from '../checks/metrics-catalog.js';
import type { RunReport, RunStatus } from './run-report.js';
import type { RunResult } from './options.js';
import { attemptLine, paymentHeadline } from './payment-headline.js';

export interface RunSummary {
  runId: string;
  scenario: string;
  status: RunStatus;
  exitCode: number;
  reason?: string;
  seed: number;
  durationMs: number;
  /** The headline metrics; null when not measured. */
  metrics: Record<string, number | null>;
  /** Why each null headline metric was not measured. */
  notMeasured: Record<string, string>;
  /** `reason` of a gate on a metric not measured: `not measured: <why>`. */
  gates: Array<{ gate: string; actual: number | null; passed: boolean; reason: string }>;
  anomalies: Array<{ type: string; count: number }>;
  notes: string[];
  outDir: string;
  reports: Record<string, string>;
}

const HEADLINE_METRICS: readonly MetricName[] = [
  'payments',
  'payments_succeeded',
  'payments_declined',
  'unresolved_payments',
  'attempts_per_payment',
  'mttr_s',
  'outage_s',
  'rpo_s',
  'success_rate',
  'p99_ms',
  'attempts',
  'dropped',
  'anomalies',
];

export function runSummary(result: Pick<RunResult, 'report' | 'outDir'>): RunSummary {
  const { report } = result;
  const metrics = report.verdict?.metrics ?? {};
  const summary: RunSummary = {
    runId: report.run.id,
    scenario: report.run.scenario.name,
    status: report.run.status,
    exitCode: report.run.exitCode,
    seed: report.run.seed,
    durationMs: report.run.durationMs,
    metrics: Object.fromEntries(HEADLINE_METRICS.map((m) => [m, metrics[m] ?? null])),
    notMeasured: Object.fromEntries(
      HEADLINE_METRICS.flatMap((m) => {
        const why = notMeasuredReason(report.verdict, m);
        return why === undefined ? [] : [[m, why]];
      }),
    ),
    gates: report.gates.map((g) => ({ gate: g.gate, actual: g.actual, passed: g.passed, reason: g.reason })),
    anomalies: anomalyCounts(report),
    notes: report.notes ?? [],
    outDir: result.outDir,
    reports: report.artifacts,
  };
  if (report.run.reason !== undefined) summary.reason = report.run.reason;
  return summary;
}

function anomalyCounts(report: RunReport): Array<{ type: string; count: number }> {
  return (report.verdict?.checkers ?? [])
    .flatMap((c) => c.anomalies)
    .filter((a) => a.count > 0)
    .map((a) => ({ type: a.type, count: a.count }));
}

export interface SummaryColors {
  green: (s: string) => string;
  red: (s: string) => string;
  yellow: (s: string) => string;
  bold: (s: string) => string;
  dim: (s: string) => string;
}

const plain: SummaryColors = { green: String, red: String, yellow: String, bold: String, dim: String };

export function formatRunSummary(summary: RunSummary, c: SummaryColors = plain): string {
  const status =
    summary.status === 'passed'
      ? c.green('PASSED')
      : summary.status === 'failed'
        ? c.red('FAILED')
        : c.yellow(summary.status.toUpperCase());
  const lines = [
    `${c.bold(summary.scenario)} ${status} ${c.dim(`(run ${summary.runId}, seed ${summary.seed}, ${(summary.durationMs / 1000).toFixed(1)} s, exit ${summary.exitCode})`)}`,
  ];
  if (summary.reason !== undefined) lines.push(`  ${summary.reason}`);
  const m = summary.metrics;
  const show = (v: number | null | undefined, unit = '', digits = 2) =>
    v === null || v === undefined ? 'not measured' : `${Number(v.toFixed(digits))}${unit}`;
  lines.push(
    `  ${c.bold(paymentHeadline(m) ?? `payments not measured: ${summary.notMeasured.payments ?? 'no reason recorded'}`)}`,
    `  MTTR ${show(m.mttr_s, ' s')} · RPO ${show(m.rpo_s, ' s')} · p99 ${show(m.p99_ms, ' ms', 0)} · anomalies ${show(m.anomalies, '', 0)}`,
    `  ${c.dim(`${attemptLine(m)} · dropped ${show(m.dropped, '', 0)}`)}`,
  );
  if (summary.gates.length > 0) {
    lines.push('  gates:');
    for (const g of summary.gates)
      lines.push(
        `    ${g.passed ? c.green('pass') : c.red('FAIL')} ${g.gate}${g.passed ? c.dim(` (${show(g.actual)})`) : ` — ${g.reason}`}`,
      );
  }
  if (summary.anomalies.length > 0)
    lines.push(`  anomalies: ${summary.anomalies.map((a) => `${a.count} ${a.type}`).join(', ')}`);
  for (const n of summary.notes) lines.push(c.yellow(`  note: ${n}`));
  lines.push(
    `  reports: ${summary.outDir}/ (${['report.html', 'report.json', 'junit.xml', 'summary.md'].join(', ')})`,
  );
  return lines.join('\n');
}

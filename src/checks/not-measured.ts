/**
 * Measured or not: why each metric a run could not measure was not measured (which checker did not
 * run and why, no traffic, no fault, no recovery). A metric with a reason is null in Verdict.metrics
 * and a gate on it fails with "not measured: <reason>": a count nobody counted is never reported as 0.
 */
import { METRIC_NAMES, type MetricName } from './metrics-catalog.js';
import type { RecoveryResult, Verdict } from './verdict.js';

export type NotMeasured = Partial<Record<MetricName, string>>;

/** What the checkers had to work with, and the figures whose null says something was not observed. */
export interface MeasurementFacts {
  /** Attempts in the history (payments and reads). */
  attempts: number;
  reads: number;
  /** Payments (idempotency keys with a write attempt) in the history. */
  payments: number;
  /** `dropped_iterations` the history recorded. */
  dropped: number;
  /** Why the authoritative ledger could not be read (`no ledger export from us-east: ...`), else null. */
  missingLedger: string | null;
  /** How many faults the scenario plans, when the caller knows. */
  plannedFaults?: number;
  recoveryHoldMs: number;
  recovery: RecoveryResult;
  mttrS: number | null;
  detectionS: number | null;
  rpoS: number | null;
  successRate: number | null;
  p50Ms: number | null;
}

/** The metrics each checker that needs the authoritative ledger produces. */
const LEDGER_CHECKER_METRICS: Record<string, readonly MetricName[]> = {
  idempotency: [
    'duplicates',
    'phantom_writes',
    'unknown_writes',
    'outcome_flips',
    'mismatches_accepted',
    'cross_region_duplicates',
  ],
  ledger: ['unbalanced_entries', 'conservation_violations', 'balance_violations', 'negative_balances'],
  rpo: ['lost_writes', 'rpo_s'],
  reads: ['stale_reads'],
  'split-brain': ['split_brain'],
  convergence: ['unconverged_regions'],
};

/** The checkers that cannot run without the authoritative ledger. */
export const LEDGER_CHECKERS: ReadonlySet<string> = new Set(Object.keys(LEDGER_CHECKER_METRICS));

/** Metrics about what the client sent: without traffic there is nothing to count. */
const TRAFFIC_METRICS: readonly MetricName[] = [
  'duplicates',
  'lost_writes',
  'phantom_writes',
  'outcome_flips',
  'mismatches_accepted',
  'cross_region_duplicates',
  'stale_reads',
  'rpo_s',
  'payments',
  'payments_succeeded',
  'payments_declined',
  'unresolved_payments',
  'attempts_per_payment',
  'anomalies',
  'success_rate',
  'error_rate',
  'p50_ms',
  'p95_ms',
  'p99_ms',
  'max_ms',
];

const RECOVERY_METRICS: readonly MetricName[] = ['mttr_s', 'rto_s', 'outage_s', 'detection_s', 'recovered'];
const LATENCY_METRICS: readonly MetricName[] = ['p50_ms', 'p95_ms', 'p99_ms', 'max_ms'];

export function whyNotMeasured(facts: MeasurementFacts): NotMeasured {
  const why: NotMeasured = {};
  // the first reason found is the one reported: the most basic comes first
  const mark = (names: readonly MetricName[], reason: string): void => {
    for (const name of names) why[name] ??= reason;
  };
  if (facts.attempts === 0) {
    const noTraffic = 'no traffic: the history holds no attempt';
    mark([...TRAFFIC_METRICS, ...RECOVERY_METRICS], noTraffic);
    if (facts.dropped === 0) mark(['dropped'], noTraffic);
  }
  if (facts.missingLedger !== null) {
    for (const [checker, names] of Object.entries(LEDGER_CHECKER_METRICS))
      mark(names, `the ${checker} checker did not run (${facts.missingLedger})`);
    mark(['anomalies'], `not every checker ran (${facts.missingLedger})`);
  }
  markRecovery(facts, mark);
  if (facts.payments === 0)
    mark(['attempts_per_payment'], 'no payment in the history (the load sent only reads)');
  if (facts.reads === 0) mark(['stale_reads'], 'no read in the history (the load mix sends no reads)');
  if (facts.rpoS === null)
    mark(
      ['rpo_s'],
      'acknowledged payments were lost but no failover followed them: there is no failover instant to measure RPO from',
    );
  if (facts.successRate === null)
    mark(
      ['success_rate', 'error_rate'],
      'no attempt counts towards the success rate (all were client-caused failures or cancelled)',
    );
  if (facts.p50Ms === null)
    mark(LATENCY_METRICS, 'no attempt has a measured latency (all were cancelled by the harness)');
  return why;
}

function markRecovery(
  facts: MeasurementFacts,
  mark: (names: readonly MetricName[], reason: string) => void,
): void {
  const { recovery } = facts;
  if (recovery.tFault === null) {
    mark(RECOVERY_METRICS, noFaultReason(facts.plannedFaults));
    return;
  }
  if (recovery.baseline === 0) {
    // θ = 0.99·r0 = 0: no window can fall below it, so "no impact, MTTR 0" would be read off a dead service
    mark(
      RECOVERY_METRICS,
      'no healthy baseline: no payment succeeded in the steady state before the fault, so neither impact nor recovery can be observed',
    );
    return;
  }
  if (recovery.tImpact === null && facts.mttrS === null) {
    mark(RECOVERY_METRICS, 'no traffic after the first fault: neither impact nor recovery could be observed');
    return;
  }
  const threshold = recovery.threshold === null ? '' : ` (${percent(recovery.threshold)})`;
  if (recovery.tImpact === null)
    mark(
      ['detection_s'],
      `no impact to detect: the fault never pushed the success rate below the threshold${threshold}`,
    );
  if (!recovery.recovered)
    mark(
      ['mttr_s', 'rto_s', 'outage_s'],
      `no recovery observed: after the fault the success rate never held at or above the threshold${threshold} for ${facts.recoveryHoldMs / 1000} s`,
    );
  if (facts.detectionS === null) mark(['detection_s'], 'no failover event followed the fault');
}

function noFaultReason(plannedFaults: number | undefined): string {
  if (plannedFaults === 0) return 'no fault in the scenario';
  if (plannedFaults === undefined) return 'no fault was applied in this run';
  return `none of the scenario's ${plannedFaults} fault(s) was applied (the run stopped before the first, or applying it failed)`;
}

function percent(rate: number): string {
  return `${Number((rate * 100).toFixed(2))}%`;
}

/**
 * Every metric of the catalog, each a number or null with a reason: metrics named in `why` become
 * null; a metric missing or null without a reason gets a generic one, so no null goes unexplained.
 */
export function settleMeasurements(
  metrics: Verdict['metrics'],
  why: NotMeasured,
): { metrics: Verdict['metrics']; notMeasured: NotMeasured } {
  const settled: Verdict['metrics'] = {};
  const notMeasured: NotMeasured = {};
  for (const name of METRIC_NAMES) {
    const reason =
      why[name] ?? (metrics[name] == null ? `${name} could not be computed in this run` : undefined);
    settled[name] = reason === undefined ? metrics[name]! : null;
    if (reason !== undefined) notMeasured[name] = reason;
  }
  return { metrics: settled, notMeasured };
}

/** Every metric not measured for one reason (a run that stopped before any check). */
export function nothingMeasured(why: string): NotMeasured {
  return Object.fromEntries(METRIC_NAMES.map((name) => [name, why]));
}

/**
 * Why `name` was not measured, or undefined when it was. Reports written before reasons were
 * recorded have null metrics without one.
 */
export function notMeasuredReason(
  verdict: Pick<Verdict, 'metrics' | 'notMeasured'> | null | undefined,
  name: MetricName,
): string | undefined {
  if (verdict === null || verdict === undefined) return 'the run stopped before checking';
  const value = verdict.metrics[name];
  if (value !== null && value !== undefined) return undefined;
  return verdict.notMeasured?.[name] ?? 'no reason recorded (report written by an older chaosbank)';
}

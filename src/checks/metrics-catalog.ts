/**
 * Every metric a gate or abort condition may name. Checkers fill them in; the scenario loader rejects
 * gates that name anything else. Counts are anomaly counts; *_s are seconds; *_ms milliseconds.
 */
export const METRICS = {
  // recovery (checkers.md "Recovery metrics"); null when there was no fault or no recovery
  mttr_s: 'RTO/MTTR: t_recovered - t_fault, seconds',
  rto_s: 'alias of mttr_s',
  outage_s: 't_recovered - t_impact, seconds',
  detection_s: 'first failover event - t_impact, seconds',
  rpo_s: 'observed RPO: max(t_failover - t_ack) over lost acknowledged writes, seconds',
  recovered: '1 when the success rate recovered after the last fault, else 0',
  // anomalies (checkers.md "Anomalies"), as counts
  duplicates: 'payments applied more than once',
  lost_writes: 'acknowledged payments missing from the ledger',
  phantom_writes: 'definitively failed payments present in the ledger',
  unknown_writes: 'ledger transactions no client sent',
  outcome_flips: 'keys whose completed responses differ',
  mismatches_accepted: 'keys reused with another payload and accepted',
  cross_region_duplicates: 'keys sent to two regions at once and executed twice',
  unbalanced_entries: 'transactions whose entries do not sum to zero',
  conservation_violations: 'total balance differs from the initial funding',
  balance_violations: 'accounts outside their bounds or not matching their entries',
  negative_balances: 'no-overdraft accounts below zero',
  stale_reads: 'reads that missed an acknowledged payment or went backwards',
  split_brain: 'overlapping windows in which two regions acknowledged writes as primary',
  unconverged_regions: 'regions whose ledger differs from the authoritative one after settle',
  anomalies: 'total anomalies of every kind',
  // client-side load metrics
  success_rate: 'ok / (ok + info + server-side fail) over the run, business declines excluded',
  error_rate: '1 - success_rate',
  p50_ms: 'median latency from intended start, ms',
  p95_ms: '95th percentile latency from intended start, ms',
  p99_ms: '99th percentile latency from intended start, ms',
  max_ms: 'maximum latency from intended start, ms',
  attempts: 'attempts made',
  dropped: 'scheduled requests the engine could not start (k6 dropped_iterations)',
  // payment level: a payment is one idempotency key, however many attempts it took
  payments: 'payments sent (idempotency keys with at least one write attempt)',
  payments_succeeded: 'payments acknowledged by at least one attempt',
  payments_declined:
    'payments definitively refused with no effect (a business decline or another no-effect answer)',
  unresolved_payments: 'payments that never succeeded within the retry budget',
  attempts_per_payment: 'write attempts per payment (retry amplification; 1 means no retry)',
} as const;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];
export const isMetricName = (name: string): name is MetricName => Object.hasOwn(METRICS, name);

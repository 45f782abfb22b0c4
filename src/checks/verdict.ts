/**
 * The one verdict structure that gates and reporters consume. Checkers are pure:
 * (history, ledger exports, events, expectations) -> Verdict.
 */
import type { MetricName } from './metrics-catalog.js';

export type AnomalyType =
  | 'duplicate-application'
  | 'lost-write'
  | 'phantom-write'
  | 'unknown-write'
  | 'outcome-flip'
  | 'mismatch-accepted'
  | 'cross-region-duplicate'
  | 'unbalanced-entry'
  | 'conservation'
  | 'balance-bounds'
  | 'negative-balance'
  | 'stale-read'
  | 'split-brain'
  | 'no-convergence';

export interface Anomaly {
  type: AnomalyType;
  /** One sentence a person can act on. */
  message: string;
  key?: string;
  account?: string;
  region?: string;
  /** Evidence: the attempts (times, statuses, serving regions), the ledger rows... */
  evidence: Record<string, unknown>;
}

export interface AnomalySummary {
  type: AnomalyType;
  count: number;
  /** The first N examples (N configurable, default 10). */
  examples: Anomaly[];
}

export interface CheckerResult {
  /** `idempotency`, `ledger`, `rpo`, `reads`, `split-brain`, `convergence`, `recovery`. */
  name: string;
  passed: boolean;
  summary: string;
  anomalies: AnomalySummary[];
}

/** Success rate and latency per window (by intended start), for charts and recovery metrics. */
export interface WindowStat {
  start: number; // epoch ms
  ok: number;
  fail: number;
  info: number;
  declines: number;
  successRate: number | null; // null when the window had no countable attempt
  p99Ms: number | null;
  /** Attempts per serving region (traffic share). */
  byRegion: Record<string, number>;
}

export interface RecoveryResult {
  tFault: number | null;
  tImpact: number | null;
  tRecovered: number | null;
  baseline: number | null;
  threshold: number | null;
  recovered: boolean;
}

export interface Verdict {
  passed: boolean;
  checkers: CheckerResult[];
  /** Every metric of METRICS: a number, or null when it was not measured (reason in `notMeasured`). */
  metrics: Partial<Record<MetricName, number | null>>;
  /**
   * Why each null metric was not measured (not-measured.ts). Absent in reports written before
   * reasons were recorded.
   */
  notMeasured?: Partial<Record<MetricName, string>>;
  windows: WindowStat[];
  recovery: RecoveryResult;
}

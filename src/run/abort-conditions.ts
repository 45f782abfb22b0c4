/**
 * The scenario's `aborts`, planned before anything starts: threshold conditions must name a metric the
 * run can see live (success/error rate, latency percentiles); the named conditions switch on the
 * ledger probe and the steady-state abort.
 */
import { InputError } from '../contract/errors.js';
import type { MetricName } from '../checks/metrics-catalog.js';
import { compare, parseAbort, type ComparisonOp } from '../scenario/gates-syntax.js';
import type { LiveFigures } from './live-windows.js';

export interface ThresholdAbort {
  source: string;
  metric: LiveMetric;
  op: ComparisonOp;
  value: number;
  forMs: number;
}

export interface AbortPlan {
  thresholds: ThresholdAbort[];
  ledgerInvariant: boolean;
  steadyState: boolean;
}

const LIVE_METRICS = {
  success_rate: (f: LiveFigures) => f.successRate,
  error_rate: (f: LiveFigures) => f.errorRate,
  p50_ms: (f: LiveFigures) => f.p50Ms,
  p95_ms: (f: LiveFigures) => f.p95Ms,
  p99_ms: (f: LiveFigures) => f.p99Ms,
  max_ms: (f: LiveFigures) => f.maxMs,
} satisfies Partial<Record<MetricName, (f: LiveFigures) => number | null>>;
type LiveMetric = keyof typeof LIVE_METRICS;
const isLive = (metric: string): metric is LiveMetric => Object.hasOwn(LIVE_METRICS, metric);

export function planAborts(aborts: readonly string[]): AbortPlan {
  const plan: AbortPlan = { thresholds: [], ledgerInvariant: false, steadyState: false };
  for (const source of aborts) {
    const parsed = parseAbort(source);
    if (parsed.kind === 'ledger_invariant_broken') plan.ledgerInvariant = true;
    else if (parsed.kind === 'steady_state_not_reached') plan.steadyState = true;
    else if (!isLive(parsed.metric))
      throw new InputError(
        'ABORT_NOT_LIVE',
        `abort condition \`${source}\`: ${parsed.metric} is only known after the run, so it cannot stop one`,
        {
          details: [
            `live metrics: ${Object.keys(LIVE_METRICS).join(', ')}`,
            `use a gate instead, e.g. \`${parsed.metric} ${parsed.op} ${parsed.value}\``,
          ],
        },
      );
    else
      plan.thresholds.push({
        source,
        metric: parsed.metric,
        op: parsed.op,
        value: parsed.value,
        forMs: parsed.forMs,
      });
  }
  return plan;
}

/**
 * Tracks one threshold over time: it fires once the condition has held continuously for `forMs`.
 * A span with no completed attempt neither confirms nor resets it.
 */
export class ThresholdTracker {
  private since: number | null = null;

  constructor(readonly abort: ThresholdAbort) {}

  /** The value and whether the condition has now held long enough. */
  observe(figures: LiveFigures, now: number): { value: number | null; fired: boolean } {
    const value = LIVE_METRICS[this.abort.metric](figures);
    if (value === null) return { value, fired: false };
    if (!compare(this.abort.op, value, this.abort.value)) {
      this.since = null;
      return { value, fired: false };
    }
    this.since ??= now;
    return { value, fired: now - this.since >= this.abort.forMs };
  }
}

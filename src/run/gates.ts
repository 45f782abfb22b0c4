/**
 * Gates: thresholds over checker metrics (`mttr_s < 30`, `duplicates == 0`). A gate whose metric was
 * not measured (null: the checker did not run, no traffic, no fault, no recovery) fails with
 * "not measured: <reason>"; it never passes on a default 0.
 */
import type { MetricName } from '../checks/metrics-catalog.js';
import type { NotMeasured } from '../checks/not-measured.js';
import { parseGate, type ComparisonOp } from '../scenario/gates-syntax.js';

export interface GateResult {
  gate: string;
  metric: MetricName;
  op: ComparisonOp;
  threshold: number;
  /** null: not measured (the reason says why). */
  actual: number | null;
  passed: boolean;
  /** Why it failed, in a sentence; empty when it passed. */
  reason: string;
}

export function compare(actual: number, op: ComparisonOp, threshold: number): boolean {
  switch (op) {
    case '<':
      return actual < threshold;
    case '<=':
      return actual <= threshold;
    case '>':
      return actual > threshold;
    case '>=':
      return actual >= threshold;
    case '==':
      return actual === threshold;
    case '!=':
      return actual !== threshold;
  }
}

/** `notMeasured`: why each null metric was not measured (Verdict.notMeasured). */
export function evaluateGates(
  gates: readonly string[],
  metrics: Partial<Record<MetricName, number | null>>,
  notMeasured: NotMeasured = {},
): GateResult[] {
  return gates.map((source) => {
    const { metric, op, value } = parseGate(source);
    const actual = metrics[metric] ?? null;
    if (actual === null)
      return {
        gate: source,
        metric,
        op,
        threshold: value,
        actual,
        passed: false,
        reason: `not measured: ${notMeasured[metric] ?? `${metric} was not measured in this run`}`,
      };
    const passed = compare(actual, op, value);
    return {
      gate: source,
      metric,
      op,
      threshold: value,
      actual,
      passed,
      reason: passed ? '' : `${metric} was ${actual}, expected ${op} ${value}`,
    };
  });
}

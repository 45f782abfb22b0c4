/**
 * Gates: thresholds over checker metrics (`mttr_s < 30`, `duplicates == 0`). A gate whose metric could
 * not be computed (null: e.g. no recovery, so no MTTR) fails, and says why.
 */
import type { MetricName } from '../checks/metrics-catalog.js';
import { parseGate, type ComparisonOp } from '../scenario/gates-syntax.js';

export interface GateResult {
  gate: string;
  metric: MetricName;
  op: ComparisonOp;
  threshold: number;
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

export function evaluateGates(
  gates: readonly string[],
  metrics: Partial<Record<MetricName, number | null>>,
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
        reason: `${metric} could not be measured in this run (for MTTR: the service never recovered)`,
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

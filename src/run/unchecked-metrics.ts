/**
 * A checker that could not run counted nothing: the metrics it owns are not measured (null), never 0,
 * so a gate on them fails instead of passing on a count nobody made.
 */
import { CHECKER_ANOMALIES } from '../checks/index.js';
import type { MetricName } from '../checks/metrics-catalog.js';
import type { Verdict } from '../checks/verdict.js';
import type { GateResult } from './gates.js';
import { ANOMALY_METRICS } from './outcome.js';

const NOT_CHECKED = 'not checked: ';

/**
 * Sets to null every metric owned by a checker whose summary says `not checked: <why>` (and the
 * `anomalies` total, which then misses a part); returns why each metric is not measured.
 */
export function nullUncheckedMetrics(verdict: Verdict): Map<MetricName, string> {
  const unmeasured = new Map<MetricName, string>();
  for (const checker of verdict.checkers) {
    if (!checker.summary.startsWith(NOT_CHECKED)) continue;
    const why = `the ${checker.name} checker did not run (${checker.summary.slice(NOT_CHECKED.length)})`;
    for (const type of CHECKER_ANOMALIES[checker.name] ?? [])
      for (const metric of ANOMALY_METRICS[type]) if (!unmeasured.has(metric)) unmeasured.set(metric, why);
    if (!unmeasured.has('anomalies')) unmeasured.set('anomalies', `${why}, so the total misses its part`);
  }
  for (const metric of unmeasured.keys()) verdict.metrics[metric] = null;
  return unmeasured;
}

/** Gates on those metrics fail saying why (evaluateGates already fails a null metric). */
export function explainUnmeasuredGates(
  gates: GateResult[],
  unmeasured: ReadonlyMap<MetricName, string>,
): void {
  for (const gate of gates) {
    const why = unmeasured.get(gate.metric);
    if (why !== undefined && gate.actual === null) gate.reason = `not measured: ${why}`;
  }
}

/** Small formatting helpers shared by the text reporters. */
import type { Anomaly } from '../checks/verdict.js';

export const NOT_MEASURED = 'not measured';

/** A metric value; null is a metric that was not measured (never shown as 0). */
export function formatNumber(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined) return NOT_MEASURED;
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(digits);
}

export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined ? NOT_MEASURED : `${(value * 100).toFixed(2)}%`;
}

/** Seconds since the run's first phase, for timelines ("t+12.3s"). */
export function relativeSeconds(epochMs: number, origin: number): string {
  return `t+${((epochMs - origin) / 1000).toFixed(1)}s`;
}

/** One anomaly as a few plain-text lines: the message, then its evidence as compact JSON. */
export function anomalyText(anomaly: Anomaly): string {
  const where = [
    anomaly.key && `key ${anomaly.key}`,
    anomaly.account && `account ${anomaly.account}`,
    anomaly.region && `region ${anomaly.region}`,
  ]
    .filter(Boolean)
    .join(', ');
  return `${anomaly.message}${where ? ` (${where})` : ''}\n${JSON.stringify(anomaly.evidence, null, 2)}`;
}

/** Small formatting helpers shared by the text reporters. */
import type { Anomaly } from '../checks/verdict.js';
import type { RunReport } from '../run/run-report.js';

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

/** Seconds on the report's clock (`reportOrigin`), for timelines: `t+12.3 s`, `t-0.4 s` before it. */
export function relativeSeconds(epochMs: number, origin: number): string {
  const s = (epochMs - origin) / 1000;
  return `t${s < 0 ? '-' : '+'}${Math.abs(s).toFixed(1)} s`;
}

/**
 * The one clock of a report: t = 0 is the run's start. Charts, the fault table, the timeline and
 * drill steps all count from here, so one instant reads the same everywhere.
 */
export function reportOrigin(report: Pick<RunReport, 'run' | 'phases'>): number {
  const started = Date.parse(report.run.startedAt);
  return Number.isFinite(started) ? started : (report.phases[0]?.start ?? 0);
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

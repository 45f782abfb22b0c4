/**
 * The faults of a run as table rows for the text reporters: when each was scheduled, when it took
 * effect and how late, and when it was reverted (times on the report's clock: t = 0 at run start).
 */
import type { RunReport } from '../run/run-report.js';
import { relativeSeconds, reportOrigin } from './format.js';
import { targetText } from './event-text.js';

export interface FaultRow {
  fault: string;
  scheduled: string;
  applied: string;
  /** applied - scheduled, e.g. `+12 ms`; `n/a` when either is unknown. */
  late: string;
  reverted: string;
}

export function faultRows(report: RunReport): FaultRow[] {
  const origin = reportOrigin(report);
  const at = (time: number | null | undefined): string =>
    time === null || time === undefined ? 'n/a' : relativeSeconds(time, origin);
  return report.faults.map((f) => ({
    fault: `${f.id} (${[f.kind, targetText(f.target)].filter(Boolean).join(' ')})`,
    scheduled: at(f.scheduledAt),
    applied: at(f.appliedAt),
    late:
      f.scheduledAt === null || f.scheduledAt === undefined || f.appliedAt === null
        ? 'n/a'
        : `+${Math.round(f.appliedAt - f.scheduledAt)} ms`,
    reverted: f.revertedAt === null ? 'at heal or not reverted' : at(f.revertedAt),
  }));
}

/**
 * The headline of a run report: payments first (one idempotency key each), then the per-attempt
 * figures that retries inflate, with the retry amplification (attempts per payment, peak offered rate
 * against the planned rate).
 */
import type { RunReport } from '../run/run-report.js';
import { attemptLine, paymentHeadline, peakOfferedRate } from '../run/payment-headline.js';
import { notMeasuredReason } from '../checks/not-measured.js';

export interface Headline {
  /** `5900 of 6000 payments succeeded (98.33%) · 60 declined · 40 unresolved`, or why not measured. */
  payments: string;
  /** `attempt success 84.00% · 8000 attempts · 1.33 attempts per payment · peak 200/s offered (200/s planned)`. */
  attempts: string;
}

export function headline(report: RunReport): Headline {
  const metrics = report.verdict?.metrics ?? {};
  const payments =
    paymentHeadline(metrics) ?? `payments not measured: ${notMeasuredReason(report.verdict, 'payments')}`;
  const peak = peakOfferedRate(report.verdict?.windows ?? []);
  const planned = report.load?.plannedRate ?? null;
  const rate =
    peak === null
      ? ''
      : ` · peak ${Math.round(peak)}/s offered${planned === null ? '' : ` (${planned}/s planned)`}`;
  return { payments, attempts: `${attemptLine(metrics)}${rate}` };
}

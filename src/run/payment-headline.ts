/**
 * The headline every report leads with: what happened to payments (one idempotency key each), not to
 * attempts, which retries inflate. Shared by the console summary, Markdown, HTML and JUnit.
 */
import type { Verdict, WindowStat } from '../checks/verdict.js';

type Metrics = Verdict['metrics'];

/** `1180 of 1200 payments succeeded (98.33%) · 15 declined · 5 unresolved`; undefined when not measured. */
export function paymentHeadline(metrics: Metrics): string | undefined {
  const { payments, payments_succeeded: ok, payments_declined: declined } = metrics;
  const unresolved = metrics.unresolved_payments;
  if (payments == null || ok == null || declined == null || unresolved == null) return undefined;
  const share = payments === 0 ? '' : ` (${percent(ok / payments)})`;
  return `${ok} of ${payments} payments succeeded${share} · ${declined} declined · ${unresolved} unresolved`;
}

/** `attempt success 88.69% · 1.33 attempts per payment`: the per-attempt figures, secondary. */
export function attemptLine(metrics: Metrics): string {
  const rate = metrics.success_rate;
  const perPayment = metrics.attempts_per_payment;
  return [
    `attempt success ${rate == null ? 'not measured' : percent(rate)}`,
    `${metrics.attempts == null ? 'not measured' : metrics.attempts} attempts`,
    `${perPayment == null ? 'not measured' : perPayment.toFixed(2)} attempts per payment`,
  ].join(' · ');
}

/** The busiest window's attempts per second (retries included); null without windows. */
export function peakOfferedRate(windows: readonly WindowStat[]): number | null {
  if (windows.length === 0) return null;
  const widthMs = windows.length > 1 ? windows[1]!.start - windows[0]!.start : 250;
  if (widthMs <= 0) return null;
  const peak = Math.max(...windows.map((w) => w.ok + w.fail + w.info));
  return (peak * 1000) / widthMs;
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(2)}%`;
}

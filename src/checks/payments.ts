/**
 * Payment-level figures: a payment is one idempotency key with at least one write attempt. Each payment
 * is exactly one of succeeded (some attempt ok), declined (no ok, and a definitive no-effect answer such
 * as a business decline) or unresolved (no ok and no definitive answer: every attempt unknown or 409).
 */
import { KeyClass } from './key-facts.js';
import { KIND } from './attempt-store.js';
import type { CheckContext } from './check-context.js';

export interface PaymentFigures {
  payments: number;
  succeeded: number;
  declined: number;
  unresolved: number;
  /** Write attempts (first tries, retries, replays...) per payment; null without payments. */
  attemptsPerPayment: number | null;
}

export function countPayments(ctx: Pick<CheckContext, 'keys' | 'facts' | 'attempts'>): PaymentFigures {
  let payments = 0;
  let succeeded = 0;
  let unresolved = 0;
  for (let k = 0; k < ctx.keys.keys.size; k++) {
    const cls = ctx.facts.cls[k];
    if (cls === KeyClass.none) continue;
    payments++;
    if (cls === KeyClass.acked) succeeded++;
    else if (ctx.facts.unresolved[k] === 1) unresolved++;
  }
  let writes = 0;
  const kinds = ctx.attempts.kind.data;
  for (let i = 0; i < ctx.attempts.count; i++) if (kinds[i] !== KIND.read) writes++;
  return {
    payments,
    succeeded,
    declined: payments - succeeded - unresolved,
    unresolved,
    attemptsPerPayment: payments === 0 ? null : writes / payments,
  };
}

/** Evidence a person can act on: attempts with ISO times, statuses, serving regions and epochs; ledger rows. */
import { KINDS, OUTCOMES, type AttemptStore } from './attempt-store.js';
import { iso } from './compact.js';
import type { CheckContext } from './check-context.js';

export function attemptEvidence(store: AttemptStore, i: number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    seq: store.seq.get(i),
    kind: KINDS[store.kind.get(i)],
    target: store.names.value(store.target.get(i)),
    intendedStart: iso(store.intendedStart.get(i)),
    start: iso(store.start.get(i)),
    end: iso(store.end.get(i)),
    status: store.status.get(i),
    outcome: OUTCOMES[store.outcome.get(i)],
  };
  const error = store.error.get(i);
  if (error >= 0) out['error'] = store.names.value(error);
  const servedBy = store.servedBy.get(i);
  if (servedBy >= 0) out['servedBy'] = store.names.value(servedBy);
  const epoch = store.epoch.get(i);
  if (!Number.isNaN(epoch)) out['epoch'] = epoch;
  const body = store.bodyHash.get(i);
  if (body !== 0) out['bodyFingerprint'] = body.toString(16).padStart(8, '0');
  const from = store.from.get(i);
  if (from >= 0) {
    out['payload'] = {
      from: store.accounts.value(from),
      to: store.accounts.value(store.to.get(i)),
      amount: store.amount.get(i),
      currency: store.names.value(store.currency.get(i)),
    };
  }
  const account = store.account.get(i);
  if (account >= 0) out['account'] = store.accounts.value(account);
  const balance = store.balance.get(i);
  if (!Number.isNaN(balance)) out['balance'] = balance;
  return out;
}

/** The attempts and the authoritative ledger rows of key k. */
export function keyEvidence(
  ctx: CheckContext,
  k: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    key: ctx.keys.keys.value(k),
    attempts: ctx.attempts.attemptsOf(k).map((i) => attemptEvidence(ctx.attempts, i)),
    ledger: ctx.authority ? ctx.authority.transactionsOf(k).map((t) => ctx.authority!.row(t)) : [],
    ...extra,
  };
}

/**
 * Per idempotency key: duplicate application, cross-region duplicate, phantom write, unknown write,
 * outcome flip / replay mismatch and mismatch accepted (checkers.md anomalies 1, 3-7).
 */
import { KIND, OUTCOME, payloadIdentity } from './attempt-store.js';
import type { CheckContext } from './check-context.js';
import { keyEvidence } from './evidence.js';
import { KeyClass } from './key-facts.js';

export function checkIdempotency(ctx: CheckContext): void {
  const { attempts: store, keys, facts, collector, authority } = ctx;
  const inFlight = ctx.expectations.statuses.inFlight;
  for (let k = 0; k < keys.keys.size; k++) {
    const applied = keys.txCount.get(k);
    const cls = facts.cls[k]!;
    // the key's text is only needed for the evidence of an anomaly: built lazily
    const key = (): string => keys.keys.value(k);
    if (cls === KeyClass.none) {
      if (applied > 0 && authority) {
        collector.add('unknown-write', () => ({
          message: `The ledger of ${authority.region} holds ${applied} transaction(s) with idempotency key ${key()}, which no client ever sent.`,
          key: key(),
          region: authority.region,
          evidence: keyEvidence(ctx, k),
        }));
      }
      continue;
    }
    const writes = store.attemptsOf(k).filter((i) => store.isWrite(i));
    if (applied > 1) {
      const pair = concurrentTargets(ctx, writes);
      if (pair) {
        collector.add('cross-region-duplicate', () => ({
          message: `Key ${key()} was sent concurrently to ${pair.join(' and ')} and executed ${applied} times.`,
          key: key(),
          evidence: keyEvidence(ctx, k, { applied, targets: pair }),
        }));
      } else {
        collector.add('duplicate-application', () => ({
          message: `Payment ${key()} was applied ${applied} times (expected once).`,
          key: key(),
          evidence: keyEvidence(ctx, k, { applied }),
        }));
      }
    }
    if (cls === KeyClass.failed && applied > 0) {
      collector.add('phantom-write', () => ({
        message: `Every attempt of payment ${key()} definitively failed, yet the ledger holds it ${applied} time(s).`,
        key: key(),
        evidence: keyEvidence(ctx, k, { applied }),
      }));
    }
    const flip = outcomeFlip(ctx, writes, inFlight);
    if (flip) {
      collector.add('outcome-flip', () => ({
        message: `Payment ${key()} got different completed responses: ${flip}.`,
        key: key(),
        evidence: keyEvidence(ctx, k),
      }));
    }
    const mismatch = mismatchAccepted(ctx, k, writes, inFlight);
    if (mismatch) {
      collector.add('mismatch-accepted', () => ({
        message: `Key ${key()} was reused with another payload and ${mismatch}.`,
        key: key(),
        evidence: keyEvidence(ctx, k),
      }));
    }
  }
}

/** Two attempts of the key to different targets whose lifetimes overlap, one of them sent as `concurrent`. */
function concurrentTargets(ctx: CheckContext, writes: number[]): [string, string] | undefined {
  const s = ctx.attempts;
  for (let x = 0; x < writes.length; x++) {
    for (let y = x + 1; y < writes.length; y++) {
      const a = writes[x]!;
      const b = writes[y]!;
      if (s.target.get(a) === s.target.get(b)) continue;
      if (s.kind.get(a) !== KIND.concurrent && s.kind.get(b) !== KIND.concurrent) continue;
      if (s.start.get(a) <= s.end.get(b) && s.start.get(b) <= s.end.get(a)) {
        return [s.names.value(s.target.get(a)), s.names.value(s.target.get(b))];
      }
    }
  }
  return undefined;
}

/** Completed (ok or fail, not 409) responses to the same payload must agree in status and body hash. */
function outcomeFlip(ctx: CheckContext, writes: number[], inFlight: number): string | undefined {
  const s = ctx.attempts;
  const firstByPayload = new Map<number, number>();
  for (const i of writes) {
    if (s.outcome.get(i) === OUTCOME.info || s.status.get(i) === inFlight) continue;
    const payload = s.payloadId.get(i);
    const first = firstByPayload.get(payload);
    if (first === undefined) {
      firstByPayload.set(payload, i);
      continue;
    }
    if (s.status.get(first) !== s.status.get(i)) {
      return `status ${s.status.get(first)} (seq ${s.seq.get(first)}) then ${s.status.get(i)} (seq ${s.seq.get(i)})`;
    }
    const h1 = s.bodyHash.get(first);
    const h2 = s.bodyHash.get(i);
    if (h1 !== 0 && h2 !== 0 && h1 !== h2) {
      return `another body (seq ${s.seq.get(first)} vs seq ${s.seq.get(i)}), both status ${s.status.get(i)}`;
    }
  }
  return undefined;
}

/**
 * A changed payload must never be accepted once the key is known to the server: an ok for another
 * payload while the original was acknowledged or had completed before it started; or a ledger row whose
 * parameters differ from the acknowledged original (or from every payload that could have taken effect).
 */
function mismatchAccepted(
  ctx: CheckContext,
  k: number,
  writes: number[],
  inFlight: number,
): string | undefined {
  const s = ctx.attempts;
  const orig = ctx.facts.orig[k]!;
  const origPayload = s.payloadId.get(orig);
  if (origPayload === 0) return undefined;
  let origAcked = false;
  let origCompletedAt = Number.POSITIVE_INFINITY;
  for (const i of writes) {
    if (s.payloadId.get(i) !== origPayload) continue;
    if (s.outcome.get(i) === OUTCOME.ok) origAcked = true;
    if (s.outcome.get(i) !== OUTCOME.info && s.status.get(i) !== inFlight) {
      origCompletedAt = Math.min(origCompletedAt, s.end.get(i));
    }
  }
  for (const i of writes) {
    const payload = s.payloadId.get(i);
    if (payload === 0 || payload === origPayload || s.outcome.get(i) !== OUTCOME.ok) continue;
    if (origAcked || origCompletedAt <= s.start.get(i)) {
      return `accepted with status ${s.status.get(i)} (seq ${s.seq.get(i)})`;
    }
  }
  const authority = ctx.authority;
  const tx = authority ? authority.transactionsOf(k)[0] : undefined;
  if (authority === undefined || tx === undefined || authority.irregularEntries.has(tx)) return undefined;
  if (s.from.get(orig) < 0) return undefined; // payload hashes only: the ledger row cannot be compared
  const rowFrom = authority.txFrom.get(tx);
  const rowTo = authority.txTo.get(tx);
  const rowAmount = authority.txAmount.get(tx);
  const rowCurrency = authority.txCurrency.get(tx);
  if (
    rowFrom === s.from.get(orig) &&
    rowTo === s.to.get(orig) &&
    rowAmount === s.amount.get(orig) &&
    rowCurrency === s.currency.get(orig)
  ) {
    return undefined;
  }
  const rowPayload = payloadIdentity(
    ctx.accounts.value(rowFrom),
    ctx.accounts.value(rowTo),
    rowAmount,
    ctx.names.value(rowCurrency),
  );
  if (rowPayload === origPayload) return undefined;
  const couldHaveApplied = writes.some(
    (i) => s.payloadId.get(i) === rowPayload && s.outcome.get(i) !== OUTCOME.fail,
  );
  if (origAcked || !couldHaveApplied) {
    return `the ledger of ${authority.region} holds parameters that differ from the original payment`;
  }
  return undefined;
}

/**
 * Stale reads (anomaly 12). A balance read served over [s, e] must lie within the bounds the ledger
 * allows at that moment: every payment applied in the authoritative ledger and acknowledged before s
 * MUST be visible; a payment whose first attempt started after e CANNOT be visible; anything in between
 * (in flight, unknown, acknowledged later, or acknowledged but lost) MAY be. A read outside
 * [funding + must + Σ min(0, may), funding + must + Σ max(0, may)] is stale (or impossible).
 */
import { KIND, OUTCOME } from './attempt-store.js';
import type { CheckContext } from './check-context.js';
import { attemptEvidence } from './evidence.js';
import { KeyClass } from './key-facts.js';
import { sortOrder } from './sort-order.js';

/**
 * Every payment effect that may ever be visible to a read of an account, grouped by account: the
 * effects of account a are at [offset[a], offset[a + 1]) of the three columns, in key order.
 */
interface Effects {
  offset: Int32Array;
  firstStart: Float64Array;
  /** When the effect became mandatory for readers: ack time if applied, +Infinity otherwise. */
  mustFrom: Float64Array;
  delta: Float64Array;
}

interface AccountIndex {
  byMust: { t: Float64Array; delta: Float64Array; neg: Float64Array; pos: Float64Array };
  byStart: { t: Float64Array; neg: Float64Array; pos: Float64Array };
}

export function checkReads(ctx: CheckContext): void {
  const s = ctx.attempts;
  const reads: number[] = [];
  for (let i = 0; i < s.count; i++) {
    if (
      s.kind.data[i] === KIND.read &&
      s.outcome.data[i] === OUTCOME.ok &&
      !Number.isNaN(s.balance.data[i]!)
    ) {
      if (s.account.data[i]! >= 0) reads.push(i);
    }
  }
  if (reads.length === 0) return;
  const read = new Uint8Array(ctx.accounts.size);
  for (const r of reads) read[s.account.data[r]!] = 1;
  const effects = collectEffects(ctx, read);
  const indexes = new Map<number, AccountIndex>();
  for (let account = 0; account < read.length; account++) {
    const from = effects.offset[account]!;
    const to = effects.offset[account + 1]!;
    if (to > from) indexes.set(account, buildIndex(effects, from, to));
  }
  const funding = ctx.expectations.accounts.funding;
  for (const r of reads) {
    const account = s.account.data[r]!;
    const start = s.start.data[r]!;
    const end = s.end.data[r]!;
    const balance = s.balance.data[r]!;
    const index = indexes.get(account);
    let lower = funding;
    let upper = funding;
    let mustCount = 0;
    if (index) {
      const m = countBelow(index.byMust.t, start);
      const b = countAtOrBelow(index.byStart.t, end);
      const must = index.byMust.delta[m]!;
      lower = funding + must + index.byStart.neg[b]! - index.byMust.neg[m]!;
      upper = funding + must + index.byStart.pos[b]! - index.byMust.pos[m]!;
      mustCount = m;
    }
    if (balance >= lower && balance <= upper) continue;
    const name = ctx.accounts.value(account);
    ctx.collector.add('stale-read', () => ({
      message: `A read of ${name} returned ${balance}, impossible at that time: the acknowledged ledger prefix allows [${lower}, ${upper}].`,
      account: name,
      evidence: { read: attemptEvidence(s, r), lower, upper, acknowledgedBefore: mustCount },
    }));
  }
}

type Visit = (account: number, firstStart: number, mustFrom: number, delta: number) => void;

/** Every payment that may ever be visible, with when it was sent and when it became mandatory. */
function forEachEffect(ctx: CheckContext, visit: Visit): void {
  const { facts, keys, authority, attempts: s } = ctx;
  for (let k = 0; k < keys.keys.size; k++) {
    const cls = facts.cls[k]!;
    const firstStart = cls === KeyClass.none ? Number.NEGATIVE_INFINITY : facts.firstStart[k]!;
    let n = 0;
    for (let tx = keys.firstTx.get(k); authority && tx >= 0; tx = authority.nextTxSameKey.get(tx), n++) {
      // only the first application is mandatory after the ack; a duplicate may have landed any time later
      const mustFrom = cls === KeyClass.acked && n === 0 ? facts.ackEnd[k]! : Number.POSITIVE_INFINITY;
      const irregular = authority.irregularEntries.get(tx);
      if (irregular) {
        for (const d of irregular) visit(ctx.accounts.id(d.account), firstStart, mustFrom, d.amount);
      } else {
        const amount = authority.txAmount.get(tx);
        visit(authority.txFrom.get(tx), firstStart, mustFrom, -amount);
        visit(authority.txTo.get(tx), firstStart, mustFrom, amount);
      }
    }
    if (n === 0 && cls === KeyClass.acked) {
      // acknowledged but lost: a read before the failover may legitimately have seen it
      const i = facts.ackAttempt[k]!;
      if (s.from.get(i) < 0) continue;
      const amount = s.amount.get(i);
      visit(s.from.get(i), firstStart, Number.POSITIVE_INFINITY, -amount);
      visit(s.to.get(i), firstStart, Number.POSITIVE_INFINITY, amount);
    }
  }
}

/** The effects on the accounts read (`read[account] === 1`): counted in one pass, stored in the next. */
function collectEffects(ctx: CheckContext, read: Uint8Array): Effects {
  const accounts = read.length;
  const offset = new Int32Array(accounts + 1);
  const isRead = (account: number): boolean => account >= 0 && account < accounts && read[account] === 1;
  forEachEffect(ctx, (account) => {
    if (isRead(account)) offset[account + 1]!++;
  });
  for (let a = 0; a < accounts; a++) offset[a + 1]! += offset[a]!;
  const total = offset[accounts]!;
  const effects: Effects = {
    offset,
    firstStart: new Float64Array(total),
    mustFrom: new Float64Array(total),
    delta: new Float64Array(total),
  };
  const next = offset.slice(0, accounts);
  forEachEffect(ctx, (account, firstStart, mustFrom, delta) => {
    if (!isRead(account)) return;
    const at = next[account]!++;
    effects.firstStart[at] = firstStart;
    effects.mustFrom[at] = mustFrom;
    effects.delta[at] = delta;
  });
  return effects;
}

/** One account's effects [from, to), ordered by when they became mandatory and by when they were sent. */
function buildIndex(e: Effects, from: number, to: number): AccountIndex {
  const n = to - from;
  // equal times keep key order, as the effects were collected
  const byMust = sortOrder(e.mustFrom, from, to);
  const byStart = sortOrder(e.firstStart, from, to);
  const index: AccountIndex = {
    byMust: {
      t: new Float64Array(n),
      delta: new Float64Array(n + 1),
      neg: new Float64Array(n + 1),
      pos: new Float64Array(n + 1),
    },
    byStart: { t: new Float64Array(n), neg: new Float64Array(n + 1), pos: new Float64Array(n + 1) },
  };
  for (let i = 0; i < n; i++) {
    const m = from + byMust[i]!;
    const dm = e.delta[m]!;
    index.byMust.t[i] = e.mustFrom[m]!;
    index.byMust.delta[i + 1] = index.byMust.delta[i]! + dm;
    index.byMust.neg[i + 1] = index.byMust.neg[i]! + Math.min(0, dm);
    index.byMust.pos[i + 1] = index.byMust.pos[i]! + Math.max(0, dm);
    const st = from + byStart[i]!;
    const ds = e.delta[st]!;
    index.byStart.t[i] = e.firstStart[st]!;
    index.byStart.neg[i + 1] = index.byStart.neg[i]! + Math.min(0, ds);
    index.byStart.pos[i + 1] = index.byStart.pos[i]! + Math.max(0, ds);
  }
  return index;
}

/** Number of sorted values strictly below x. */
function countBelow(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of sorted values at or below x. */
function countAtOrBelow(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

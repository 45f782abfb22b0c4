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

interface Effect {
  firstStart: number;
  /** When the effect became mandatory for readers: ack time if applied, +Infinity otherwise. */
  mustFrom: number;
  delta: number;
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
  const effects = collectEffects(ctx);
  const indexes = new Map<number, AccountIndex>();
  for (const [account, list] of effects) indexes.set(account, buildIndex(list));
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

/** Per account: every payment that may ever be visible, with when it was sent and when it became mandatory. */
function collectEffects(ctx: CheckContext): Map<number, Effect[]> {
  const { facts, keys, authority, attempts: s } = ctx;
  const out = new Map<number, Effect[]>();
  const push = (account: number, effect: Effect): void => {
    let list = out.get(account);
    if (!list) out.set(account, (list = []));
    list.push(effect);
  };
  for (let k = 0; k < keys.keys.size; k++) {
    const cls = facts.cls[k]!;
    const txs = authority ? authority.transactionsOf(k) : [];
    const firstStart = cls === KeyClass.none ? Number.NEGATIVE_INFINITY : facts.firstStart[k]!;
    if (txs.length > 0) {
      // only the first application is mandatory after the ack; a duplicate may have landed any time later
      txs.forEach((tx, n) => {
        const mustFrom = cls === KeyClass.acked && n === 0 ? facts.ackEnd[k]! : Number.POSITIVE_INFINITY;
        for (const d of authority!.deltasOf(tx)) push(d.account, { firstStart, mustFrom, delta: d.amount });
      });
    } else if (cls === KeyClass.acked) {
      // acknowledged but lost: a read before the failover may legitimately have seen it
      const i = facts.ackAttempt[k]!;
      if (s.from.get(i) < 0) continue;
      const amount = s.amount.get(i);
      const mustFrom = Number.POSITIVE_INFINITY;
      push(s.from.get(i), { firstStart, mustFrom, delta: -amount });
      push(s.to.get(i), { firstStart, mustFrom, delta: amount });
    }
  }
  return out;
}

function buildIndex(list: Effect[]): AccountIndex {
  const n = list.length;
  const byMust = [...list].sort((a, b) => a.mustFrom - b.mustFrom);
  const byStart = [...list].sort((a, b) => a.firstStart - b.firstStart);
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
    const m = byMust[i]!;
    index.byMust.t[i] = m.mustFrom;
    index.byMust.delta[i + 1] = index.byMust.delta[i]! + m.delta;
    index.byMust.neg[i + 1] = index.byMust.neg[i]! + Math.min(0, m.delta);
    index.byMust.pos[i + 1] = index.byMust.pos[i]! + Math.max(0, m.delta);
    const st = byStart[i]!;
    index.byStart.t[i] = st.firstStart;
    index.byStart.neg[i + 1] = index.byStart.neg[i]! + Math.min(0, st.delta);
    index.byStart.pos[i + 1] = index.byStart.pos[i]! + Math.max(0, st.delta);
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

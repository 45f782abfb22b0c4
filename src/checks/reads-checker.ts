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

/** Per account, every payment effect that may ever be visible to a read, as parallel arrays. */
interface Effects {
  firstStart: number[];
  /** When the effect became mandatory for readers: ack time if applied, +Infinity otherwise. */
  mustFrom: number[];
  delta: number[];
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
  const read = new Set(reads.map((r) => s.account.data[r]!));
  const indexes = new Map<number, AccountIndex>();
  for (const [account, effects] of collectEffects(ctx, read)) indexes.set(account, buildIndex(effects));
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

/** Per read account: every payment that may ever be visible, with when it was sent and when it became mandatory. */
function collectEffects(ctx: CheckContext, read: Set<number>): Map<number, Effects> {
  const { facts, keys, authority, attempts: s } = ctx;
  const out = new Map<number, Effects>();
  const push = (account: number, firstStart: number, mustFrom: number, delta: number): void => {
    if (!read.has(account)) return;
    let e = out.get(account);
    if (!e) out.set(account, (e = { firstStart: [], mustFrom: [], delta: [] }));
    e.firstStart.push(firstStart);
    e.mustFrom.push(mustFrom);
    e.delta.push(delta);
  };
  for (let k = 0; k < keys.keys.size; k++) {
    const cls = facts.cls[k]!;
    const firstStart = cls === KeyClass.none ? Number.NEGATIVE_INFINITY : facts.firstStart[k]!;
    let n = 0;
    for (let tx = keys.firstTx.get(k); authority && tx >= 0; tx = authority.nextTxSameKey.get(tx), n++) {
      // only the first application is mandatory after the ack; a duplicate may have landed any time later
      const mustFrom = cls === KeyClass.acked && n === 0 ? facts.ackEnd[k]! : Number.POSITIVE_INFINITY;
      const irregular = authority.irregularEntries.get(tx);
      if (irregular) {
        for (const d of irregular) push(ctx.accounts.id(d.account), firstStart, mustFrom, d.amount);
      } else {
        const amount = authority.txAmount.get(tx);
        push(authority.txFrom.get(tx), firstStart, mustFrom, -amount);
        push(authority.txTo.get(tx), firstStart, mustFrom, amount);
      }
    }
    if (n === 0 && cls === KeyClass.acked) {
      // acknowledged but lost: a read before the failover may legitimately have seen it
      const i = facts.ackAttempt[k]!;
      if (s.from.get(i) < 0) continue;
      const amount = s.amount.get(i);
      push(s.from.get(i), firstStart, Number.POSITIVE_INFINITY, -amount);
      push(s.to.get(i), firstStart, Number.POSITIVE_INFINITY, amount);
    }
  }
  return out;
}

function buildIndex(e: Effects): AccountIndex {
  const n = e.delta.length;
  const order = (times: number[]): Uint32Array => {
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    // mostly sorted already (keys arrive in time order), which the sort exploits
    return idx.sort((x, y) => times[x]! - times[y]! || x - y);
  };
  const byMust = order(e.mustFrom);
  const byStart = order(e.firstStart);
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
    const dm = e.delta[m]!;
    index.byMust.t[i] = e.mustFrom[m]!;
    index.byMust.delta[i + 1] = index.byMust.delta[i]! + dm;
    index.byMust.neg[i + 1] = index.byMust.neg[i]! + Math.min(0, dm);
    index.byMust.pos[i + 1] = index.byMust.pos[i]! + Math.max(0, dm);
    const st = byStart[i]!;
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

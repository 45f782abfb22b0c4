/**
 * The authoritative ledger on its own and against the history: unbalanced entries, conservation,
 * balance bounds (Jepsen's counter bounds + stored = recomputed) and negative balances (anomalies 8-11).
 */
import { OUTCOME } from './attempt-store.js';
import type { CheckContext } from './check-context.js';
import { KeyClass } from './key-facts.js';
import type { RegionLedger } from './ledger-store.js';

export function checkLedger(ctx: CheckContext, authority: RegionLedger): void {
  const { collector } = ctx;
  for (const { tx, sums } of authority.unbalancedFirst) {
    collector.add('unbalanced-entry', () => ({
      message: `Transaction ${authority.txIds.value(tx)} in ${authority.region} does not balance: per-currency sums ${JSON.stringify(sums)}.`,
      region: authority.region,
      evidence: { sums, row: authority.row(tx) },
    }));
  }
  for (let n = authority.unbalancedFirst.length; n < authority.unbalancedCount; n++) {
    collector.add('unbalanced-entry', () => ({ message: 'unbalanced transaction', evidence: {} }));
  }
  checkConservation(ctx, authority);
  checkBalances(ctx, authority);
}

function checkConservation(ctx: CheckContext, authority: RegionLedger): void {
  const { count, funding, currency } = ctx.expectations.accounts;
  let customers = 0;
  let total = 0;
  for (const account of authority.accounts.values()) {
    if (account.system || account.currency !== currency) continue;
    customers++;
    total += account.balance;
  }
  const expected = count * funding;
  if (total !== expected) {
    ctx.collector.add('conservation', () => ({
      message: `Customer balances in ${authority.region} sum to ${total} ${currency}, but ${count} accounts were funded with ${funding} each (${expected}).`,
      region: authority.region,
      evidence: {
        total,
        expected,
        difference: total - expected,
        customerAccounts: customers,
        expectedAccounts: count,
      },
    }));
  }
  for (const [cur, sum] of authority.currencySums) {
    if (sum === 0) continue;
    ctx.collector.add('conservation', () => ({
      message: `In ${authority.region}, debits and credits in ${cur} differ by ${sum} over all transactions.`,
      region: authority.region,
      evidence: { currency: cur, sumOfEntries: sum },
    }));
  }
}

/** Per account: lower/upper bounds implied by the history, stored balance, recomputed balance. */
function checkBalances(ctx: CheckContext, authority: RegionLedger): void {
  const { attempts: s, facts, accounts } = ctx;
  const funding = ctx.expectations.accounts.funding;
  const lower = new Float64Array(accounts.size);
  const upper = new Float64Array(accounts.size);
  let computable = true;
  const widen = new Map<number, { lo: number; hi: number }>();
  for (let k = 0; k < ctx.keys.keys.size; k++) {
    const cls = facts.cls[k]!;
    if (cls === KeyClass.none || cls === KeyClass.failed) continue;
    if (cls === KeyClass.acked) {
      const orig = facts.orig[k]!;
      const origOk = s.outcome.get(orig) === OUTCOME.ok || okWithPayload(ctx, k, s.payloadId.get(orig));
      const i = origOk ? orig : facts.ackAttempt[k]!;
      const from = s.from.get(i);
      if (from < 0) {
        computable = false;
        continue;
      }
      const amount = s.amount.get(i);
      lower[from]! -= amount;
      upper[from]! -= amount;
      lower[s.to.get(i)]! += amount;
      upper[s.to.get(i)]! += amount;
      continue;
    }
    // unknown: each distinct payload sent with an info outcome may have been applied (at most one of them)
    widen.clear();
    const seen = new Set<number>();
    for (let i = ctx.keys.firstAttempt.get(k); i >= 0; i = s.nextSameKey.get(i)) {
      if (s.outcome.get(i) !== OUTCOME.info || !s.isWrite(i) || seen.has(s.payloadId.get(i))) continue;
      seen.add(s.payloadId.get(i));
      const from = s.from.get(i);
      if (from < 0) {
        computable = false;
        continue;
      }
      const amount = s.amount.get(i);
      for (const [account, delta] of [
        [from, -amount],
        [s.to.get(i), amount],
      ] as const) {
        const w = widen.get(account) ?? { lo: 0, hi: 0 };
        w.lo = Math.min(w.lo, delta);
        w.hi = Math.max(w.hi, delta);
        widen.set(account, w);
      }
    }
    for (const [account, w] of widen) {
      lower[account]! += w.lo;
      upper[account]! += w.hi;
    }
  }
  const seen = new Set<string>();
  for (const [id, account] of authority.accounts) {
    seen.add(id);
    if (account.system) continue;
    const recomputed = authority.entrySum(id);
    const a = accounts.find(id);
    const lo = funding + (a === undefined ? 0 : lower[a]!);
    const hi = funding + (a === undefined ? 0 : upper[a]!);
    if (account.balance < 0) {
      ctx.collector.add('negative-balance', () => ({
        message: `Account ${id} in ${authority.region} has a negative balance ${account.balance} (no overdraft allowed).`,
        account: id,
        region: authority.region,
        evidence: { balance: account.balance, recomputed },
      }));
    }
    const outOfBounds = computable && (account.balance < lo || account.balance > hi);
    if (recomputed !== account.balance || outOfBounds) {
      ctx.collector.add('balance-bounds', () => ({
        message:
          recomputed !== account.balance
            ? `Account ${id} in ${authority.region} stores balance ${account.balance} but its entries sum to ${recomputed}.`
            : `Account ${id} in ${authority.region} has balance ${account.balance}, outside [${lo}, ${hi}] implied by the ok and info payments.`,
        account: id,
        region: authority.region,
        evidence: {
          balance: account.balance,
          recomputed,
          lower: computable ? lo : null,
          upper: computable ? hi : null,
        },
      }));
    }
  }
  const used = accountsInPayments(ctx);
  for (let a = 0; a < accounts.size; a++) {
    const id = accounts.value(a);
    if (seen.has(id) || used[a] === 0) continue;
    ctx.collector.add('balance-bounds', () => ({
      message: `Account ${id} is used by the payments but missing from the export of ${authority.region}.`,
      account: id,
      region: authority.region,
      evidence: { lower: funding + lower[a]!, upper: funding + upper[a]! },
    }));
  }
}

function okWithPayload(ctx: CheckContext, k: number, payloadId: number): boolean {
  const s = ctx.attempts;
  for (let i = ctx.keys.firstAttempt.get(k); i >= 0; i = s.nextSameKey.get(i)) {
    if (s.outcome.get(i) === OUTCOME.ok && s.payloadId.get(i) === payloadId) return true;
  }
  return false;
}

/** 1 for every account some payment attempt debits or credits. */
function accountsInPayments(ctx: CheckContext): Uint8Array {
  const s = ctx.attempts;
  const used = new Uint8Array(ctx.accounts.size);
  for (let i = 0; i < s.count; i++) {
    if (s.from.data[i]! >= 0) used[s.from.data[i]!] = 1;
    if (s.to.data[i]! >= 0) used[s.to.data[i]!] = 1;
  }
  return used;
}

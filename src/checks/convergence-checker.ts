/**
 * No convergence (anomaly 14): after settle, every region's export must equal the authoritative one
 * (the final primary's): same transaction ids with the same contents, same account balances. An export
 * without its `end` line was cut short and is reported too (for the authoritative region as well, since
 * every ledger verdict then rests on a partial ledger).
 */
import type { CheckContext } from './check-context.js';
import type { RegionLedger } from './ledger-store.js';

export function checkConvergence(ctx: CheckContext, authority: RegionLedger): number {
  const unconverged = new Set<string>();
  const cap = ctx.expectations.examples;
  for (const ledger of ctx.ledgers.values()) {
    if (ledger.end === undefined || ledger.linesAfterEnd > 0) {
      unconverged.add(ledger.region);
      ctx.collector.add('no-convergence', () => ({
        message:
          ledger.end === undefined
            ? `The ledger export of ${ledger.region} has no end line: it was cut short after ${ledger.txCount} transactions.`
            : `The ledger export of ${ledger.region} has ${ledger.linesAfterEnd} line(s) after its end line.`,
        region: ledger.region,
        evidence: {
          transactionsRead: ledger.txCount,
          accountsRead: ledger.accounts.size,
          end: ledger.end ?? null,
        },
      }));
    }
    const end = ledger.end;
    if (end !== undefined && (end.transactions !== ledger.txCount || end.accounts !== ledger.accounts.size)) {
      unconverged.add(ledger.region);
      ctx.collector.add('no-convergence', () => ({
        message: `The ledger export of ${ledger.region} announces ${end.accounts} accounts and ${end.transactions} transactions but holds ${ledger.accounts.size} and ${ledger.txCount}: lines were lost.`,
        region: ledger.region,
        evidence: { end, accountsRead: ledger.accounts.size, transactionsRead: ledger.txCount },
      }));
    }
    if (ledger === authority) continue;
    const seen = new Uint8Array(authority.txCount);
    const extra: string[] = [];
    const changed: string[] = [];
    let extraCount = 0;
    let changedCount = 0;
    for (let i = 0; i < ledger.txCount; i++) {
      const id = ledger.txIds.value(i);
      const j = authority.indexOf(id);
      if (j === undefined) {
        if (extraCount++ < cap) extra.push(id);
      } else {
        seen[j] = 1;
        if (authority.fingerprintOf(j) !== ledger.fingerprintOf(i) && changedCount++ < cap) changed.push(id);
      }
    }
    const missing: string[] = [];
    let missingCount = 0;
    for (let j = 0; j < authority.txCount; j++) {
      if (seen[j] === 0 && missingCount++ < cap) missing.push(authority.txIds.value(j));
    }
    const balances: { account: string; authoritative: number | null; region: number | null }[] = [];
    let balanceCount = 0;
    const ids = new Set([...authority.accounts.keys(), ...ledger.accounts.keys()]);
    for (const id of ids) {
      const a = authority.accounts.get(id)?.balance ?? null;
      const b = ledger.accounts.get(id)?.balance ?? null;
      if (a !== b && balanceCount++ < cap) balances.push({ account: id, authoritative: a, region: b });
    }
    if (extraCount + changedCount + missingCount + balanceCount === 0) continue;
    unconverged.add(ledger.region);
    ctx.collector.add('no-convergence', () => ({
      message: `The ledger of ${ledger.region} differs from the authoritative ${authority.region}: ${missingCount} missing, ${extraCount} extra, ${changedCount} changed transaction(s), ${balanceCount} differing balance(s).`,
      region: ledger.region,
      evidence: {
        authoritative: authority.region,
        missing: { count: missingCount, ids: missing },
        extra: { count: extraCount, ids: extra },
        changed: { count: changedCount, ids: changed },
        balances: { count: balanceCount, accounts: balances },
      },
    }));
  }
  return unconverged.size;
}

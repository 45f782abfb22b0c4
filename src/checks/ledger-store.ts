/**
 * One region's ledger export, accumulated line by line. The authoritative region keeps every
 * transaction in compact columns (key, time, debit/credit accounts, amount) plus running sums; the
 * other regions keep only each transaction's id and fingerprint, enough to prove or disprove convergence.
 */
import type { ExportEnd, ExportLine, ExportedEntry, ExportedTransaction } from './ledger-export.js';
import { Interner, f64, fnv1a, i32 } from './compact.js';
import type { KeyTable } from './attempt-store.js';

export interface StoredAccount {
  currency: string;
  balance: number;
  system: boolean;
}

export class RegionLedger {
  readonly accounts = new Map<string, StoredAccount>();
  end: ExportEnd | undefined;
  linesAfterEnd = 0;
  txCount = 0;
  readonly txIds: string[] = [];
  readonly txFingerprint: number[] = [];
  /** Authoritative region only (below). */
  readonly txIndex = new Map<string, number>();
  readonly txKey = i32();
  readonly txCreatedAt = f64(Number.NaN);
  /** Regular two-entry transfers: debit account, credit account, amount; -1 otherwise. */
  readonly txFrom = i32();
  readonly txTo = i32();
  readonly txAmount = f64(Number.NaN);
  readonly txCurrency = i32();
  /** Entries of transactions that are not a plain balanced two-entry transfer, by index. */
  readonly irregularEntries = new Map<number, ExportedEntry[]>();
  readonly nextTxSameKey = i32();
  /** Σ entries per account, recomputed from the transactions. */
  readonly entrySums = new Map<string, number>();
  /** Σ entries per currency over all transactions. */
  readonly currencySums = new Map<string, number>();
  /** Unbalanced transactions: total and the first few indices. */
  unbalancedCount = 0;
  readonly unbalancedFirst: { tx: number; sums: Record<string, number> }[] = [];

  constructor(
    readonly region: string,
    readonly authoritative: boolean,
    private readonly keyTable: KeyTable,
    private readonly accountNames: Interner,
    private readonly names: Interner,
    private readonly exampleCap: number,
  ) {}

  add(line: ExportLine): void {
    if (this.end !== undefined) this.linesAfterEnd++;
    if (line.type === 'account') {
      this.accounts.set(line.id, {
        currency: line.currency,
        balance: line.balance,
        system: line.system === true,
      });
    } else if (line.type === 'transaction') {
      this.addTransaction(line);
    } else if (line.type === 'end') {
      this.end = line;
    }
  }

  private addTransaction(tx: ExportedTransaction): void {
    const i = this.txCount++;
    this.txIds.push(tx.id);
    this.txFingerprint.push(fingerprint(tx));
    if (!this.authoritative) return;
    this.txIndex.set(tx.id, i);
    this.txCreatedAt.set(i, Date.parse(tx.created_at));
    if (tx.idempotency_key !== null) {
      const k = this.keyTable.keys.id(tx.idempotency_key);
      this.txKey.set(i, k);
      const table = this.keyTable;
      const last = table.lastTx.get(k);
      if (last < 0) table.firstTx.set(k, i);
      else this.nextTxSameKey.set(last, i);
      table.lastTx.set(k, i);
      table.txCount.set(k, table.txCount.get(k) + 1);
    }
    const perCurrency: Record<string, number> = {};
    for (const e of tx.entries) {
      this.entrySums.set(e.account, (this.entrySums.get(e.account) ?? 0) + e.amount);
      this.currencySums.set(e.currency, (this.currencySums.get(e.currency) ?? 0) + e.amount);
      perCurrency[e.currency] = (perCurrency[e.currency] ?? 0) + e.amount;
    }
    if (Object.values(perCurrency).some((sum) => sum !== 0)) {
      this.unbalancedCount++;
      if (this.unbalancedFirst.length < this.exampleCap)
        this.unbalancedFirst.push({ tx: i, sums: perCurrency });
    }
    const [a, b] = tx.entries;
    if (
      tx.entries.length === 2 &&
      a !== undefined &&
      b !== undefined &&
      a.currency === b.currency &&
      a.amount < 0 &&
      b.amount === -a.amount
    ) {
      this.txFrom.set(i, this.accountNames.id(a.account));
      this.txTo.set(i, this.accountNames.id(b.account));
      this.txAmount.set(i, b.amount);
      this.txCurrency.set(i, this.names.id(a.currency));
    } else {
      this.irregularEntries.set(i, tx.entries);
    }
  }

  /** The entries of transaction i as exported (rebuilt for plain transfers). */
  entriesOf(i: number): ExportedEntry[] {
    const irregular = this.irregularEntries.get(i);
    if (irregular) return irregular;
    const currency = this.names.value(this.txCurrency.get(i));
    const amount = this.txAmount.get(i);
    return [
      { account: this.accountNames.value(this.txFrom.get(i)), amount: -amount, currency },
      { account: this.accountNames.value(this.txTo.get(i)), amount, currency },
    ];
  }

  /** Account deltas of transaction i (for balance bounds and read checks). */
  deltasOf(i: number): { account: number; amount: number }[] {
    const irregular = this.irregularEntries.get(i);
    if (irregular)
      return irregular.map((e) => ({ account: this.accountNames.id(e.account), amount: e.amount }));
    const amount = this.txAmount.get(i);
    return [
      { account: this.txFrom.get(i), amount: -amount },
      { account: this.txTo.get(i), amount },
    ];
  }

  /** The ledger row of transaction i as evidence. */
  row(i: number): Record<string, unknown> {
    const k = this.txKey.get(i);
    const created = this.txCreatedAt.get(i);
    return {
      region: this.region,
      id: this.txIds[i],
      idempotency_key: k < 0 ? null : this.keyTable.keys.value(k),
      created_at: Number.isFinite(created) ? new Date(created).toISOString() : null,
      entries: this.entriesOf(i),
    };
  }

  transactionsOf(k: number): number[] {
    const out: number[] = [];
    const table = this.keyTable;
    for (let i = table.firstTx.get(k); i >= 0; i = this.nextTxSameKey.get(i)) out.push(i);
    return out;
  }
}

function fingerprint(tx: ExportedTransaction): number {
  let hash = fnv1a(tx.idempotency_key ?? '\u0000null');
  for (const e of tx.entries) hash = fnv1a(`${e.account}\u0000${e.amount}\u0000${e.currency}`, hash);
  return hash;
}

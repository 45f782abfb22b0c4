/**
 * One region's ledger export, accumulated line by line. The authoritative region keeps every
 * transaction in compact columns (key, time, debit/credit accounts, amount) plus running sums; the
 * other regions keep only each transaction's id and fingerprint, enough to prove or disprove convergence.
 */
import type { ExportEnd, ExportLine, ExportedEntry, ExportedTransaction } from '../contract/ledger-export.js';
import { Interner, StringColumn, f64, fnv1a, i32 } from './compact.js';
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
  /** Transaction ids, in export order. */
  readonly txIds = new StringColumn();
  /** Other regions: fingerprint per transaction, computed as lines arrive. */
  private readonly fingerprints: number[] = [];
  /** Authoritative region only (below). */
  readonly txKey = i32();
  readonly txCreatedAt = f64(Number.NaN);
  /** Regular two-entry transfers (debit first, then the equal credit): accounts, amount; -1 otherwise. */
  readonly txFrom = i32();
  readonly txTo = i32();
  readonly txAmount = f64(Number.NaN);
  readonly txCurrency = i32();
  /** Entries of transactions that are not a plain balanced two-entry transfer, by index. */
  readonly irregularEntries = new Map<number, ExportedEntry[]>();
  readonly nextTxSameKey = i32();
  /** Σ entries per account id (accounts interner), recomputed from the transactions. */
  private readonly entrySumsById = f64();
  /** Σ entries per currency over all transactions (plain transfers add 0). */
  readonly currencySums = new Map<string, number>();
  /** Unbalanced transactions: total and the first few indices. */
  unbalancedCount = 0;
  readonly unbalancedFirst: { tx: number; sums: Record<string, number> }[] = [];
  private index: Map<string, number> | undefined;
  private capacity = 0;
  /** Consecutive transactions often share their creation time: parse it once. */
  private lastCreatedAt = '';
  private lastCreatedAtMs = Number.NaN;

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
    if (!this.authoritative) {
      this.fingerprints.push(fingerprint(tx.idempotency_key, tx.entries));
      return;
    }
    if (i >= this.capacity) {
      this.capacity = Math.max(1024, this.capacity * 2);
      for (const c of [
        this.txKey,
        this.txCreatedAt,
        this.txFrom,
        this.txTo,
        this.txAmount,
        this.txCurrency,
        this.nextTxSameKey,
      ]) {
        c.ensure(this.capacity - 1);
      }
    }
    if (tx.created_at !== this.lastCreatedAt) {
      this.lastCreatedAt = tx.created_at;
      this.lastCreatedAtMs = Date.parse(tx.created_at);
    }
    this.txCreatedAt.data[i] = this.lastCreatedAtMs;
    if (tx.idempotency_key !== null) {
      const table = this.keyTable;
      const k = table.keys.id(tx.idempotency_key);
      table.ensure(k);
      this.txKey.data[i] = k;
      const last = table.lastTx.data[k]!;
      if (last < 0) table.firstTx.data[k] = i;
      else this.nextTxSameKey.data[last] = i;
      table.lastTx.data[k] = i;
      table.txCount.data[k]!++;
    }
    const entries = tx.entries;
    const a = entries[0];
    const b = entries[1];
    if (
      entries.length === 2 &&
      a !== undefined &&
      b !== undefined &&
      a.currency === b.currency &&
      a.amount < 0 &&
      b.amount === -a.amount
    ) {
      const from = this.accountNames.id(a.account);
      const to = this.accountNames.id(b.account);
      this.txFrom.data[i] = from;
      this.txTo.data[i] = to;
      this.txAmount.data[i] = b.amount;
      this.txCurrency.data[i] = this.names.id(a.currency);
      this.addToAccount(from, a.amount);
      this.addToAccount(to, b.amount);
      return;
    }
    this.irregularEntries.set(i, entries);
    const perCurrency: Record<string, number> = {};
    for (const e of entries) {
      this.addToAccount(this.accountNames.id(e.account), e.amount);
      this.currencySums.set(e.currency, (this.currencySums.get(e.currency) ?? 0) + e.amount);
      perCurrency[e.currency] = (perCurrency[e.currency] ?? 0) + e.amount;
    }
    if (Object.values(perCurrency).some((sum) => sum !== 0)) {
      this.unbalancedCount++;
      if (this.unbalancedFirst.length < this.exampleCap)
        this.unbalancedFirst.push({ tx: i, sums: perCurrency });
    }
  }

  private addToAccount(account: number, amount: number): void {
    const sums = this.entrySumsById;
    if (account >= sums.data.length) sums.ensure(account);
    sums.data[account]! += amount;
  }

  /** Σ of the entries of an account, recomputed from the transactions. */
  entrySum(account: string): number {
    const id = this.accountNames.find(account);
    return id === undefined ? 0 : this.entrySumsById.get(id);
  }

  /** Transaction index by id (built on first use: only convergence needs it). */
  indexOf(id: string): number | undefined {
    if (this.index === undefined) {
      this.index = new Map();
      for (let i = 0; i < this.txCount; i++) this.index.set(this.txIds.value(i), i);
    }
    return this.index.get(id);
  }

  /** Fingerprint of transaction i: key and entries, equal across regions when the rows are equal. */
  fingerprintOf(i: number): number {
    if (!this.authoritative) return this.fingerprints[i]!;
    const k = this.txKey.get(i);
    return fingerprint(k < 0 ? null : this.keyTable.keys.value(k), this.entriesOf(i));
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

  /** The ledger row of transaction i as evidence. */
  row(i: number): Record<string, unknown> {
    const k = this.txKey.get(i);
    const created = this.txCreatedAt.get(i);
    return {
      region: this.region,
      id: this.txIds.value(i),
      idempotency_key: k < 0 ? null : this.keyTable.keys.value(k),
      created_at: Number.isFinite(created) ? new Date(created).toISOString() : null,
      entries: this.entriesOf(i),
    };
  }

  /** The authoritative transactions of key k, in export order. */
  transactionsOf(k: number): number[] {
    const out: number[] = [];
    for (let i = this.keyTable.firstTx.get(k); i >= 0; i = this.nextTxSameKey.get(i)) out.push(i);
    return out;
  }
}

function fingerprint(key: string | null, entries: ExportedEntry[]): number {
  let hash = fnv1a(key ?? '\u0000null');
  for (const e of entries) hash = fnv1a(`${e.account}\u0000${e.amount}\u0000${e.currency}`, hash);
  return hash;
}

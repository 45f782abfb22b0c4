/**
 * Attempts kept as columns (one typed array per field) and chained per idempotency key, so the
 * checkers can walk "every attempt of key k" without holding a million Attempt objects.
 */
import type { Attempt, AttemptKind, Outcome } from '../history/attempt.js';
import {
  Interner,
  KeyInterner,
  LastValueId,
  f64,
  fnv1a,
  fnv1aNumber,
  fnv1aStep,
  i32,
  u16,
  u32,
  u8,
} from './compact.js';

export const KINDS: readonly AttemptKind[] = ['first', 'retry', 'replay', 'concurrent', 'mismatch', 'read'];
export const KIND = { first: 0, retry: 1, replay: 2, concurrent: 3, mismatch: 4, read: 5 } as const;
export const OUTCOMES: readonly Outcome[] = ['ok', 'fail', 'info'];
export const OUTCOME = { ok: 0, fail: 1, info: 2 } as const;

/** Per idempotency key: its attempts (a chain through AttemptStore.nextSameKey) and its ledger rows. */
export class KeyTable {
  readonly keys = new KeyInterner();
  readonly firstAttempt = i32();
  readonly lastAttempt = i32();
  readonly attemptCount = u32();
  /** The authoritative ledger's transactions for k: A(k) and a chain through RegionLedger.nextTxSameKey. */
  readonly firstTx = i32();
  readonly lastTx = i32();
  readonly txCount = u32();
  private capacity = 0;

  /** Make key k addressable in every column. */
  ensure(k: number): void {
    if (k < this.capacity) return;
    this.capacity = Math.max(1024, this.capacity * 2, k + 1);
    for (const c of [
      this.firstAttempt,
      this.lastAttempt,
      this.attemptCount,
      this.firstTx,
      this.lastTx,
      this.txCount,
    ]) {
      c.ensure(this.capacity - 1);
    }
  }
}

/**
 * The identity of a payload: equal payloads, equal ids (0 is reserved for "no payload"). It is the
 * FNV-1a of `${from}\0${to}\0${amount}\0${currency}`, hashed piece by piece.
 */
export function payloadIdentity(from: string, to: string, amount: number, currency: string): number {
  let hash = fnv1aStep(fnv1a(from), 0);
  hash = fnv1aStep(fnv1a(to, hash), 0);
  hash = fnv1aStep(fnv1aNumber(amount, hash), 0);
  return fnv1a(currency, hash) || 1;
}

export class AttemptStore {
  count = 0;
  private capacity = 1024;
  readonly seq = f64();
  readonly kind = u8();
  readonly outcome = u8();
  readonly status = u16();
  readonly target = i32();
  readonly key = i32();
  readonly from = i32();
  readonly to = i32();
  readonly amount = f64(Number.NaN);
  readonly currency = i32();
  /** Payload identity: FNV of the payload fields when given, else of payloadHash; 0 when neither. */
  readonly payloadId = u32();
  readonly account = i32();
  readonly balance = f64(Number.NaN);
  readonly intendedStart = f64();
  readonly start = f64();
  readonly end = f64();
  readonly error = i32();
  readonly servedBy = i32();
  readonly epoch = f64(Number.NaN);
  /** FNV fingerprint of the response bodyHash (0 when none): enough to tell two bodies apart. */
  readonly bodyHash = u32();
  readonly nextSameKey = i32();
  private readonly columns = [
    this.seq,
    this.kind,
    this.outcome,
    this.status,
    this.target,
    this.key,
    this.from,
    this.to,
    this.amount,
    this.currency,
    this.payloadId,
    this.account,
    this.balance,
    this.intendedStart,
    this.start,
    this.end,
    this.error,
    this.servedBy,
    this.epoch,
    this.bodyHash,
    this.nextSameKey,
  ];

  private readonly targetIds: LastValueId;
  private readonly errorIds: LastValueId;
  private readonly servedByIds: LastValueId;
  private readonly currencyIds: LastValueId;

  constructor(
    readonly keyTable: KeyTable,
    /** Regions, targets, error codes, currencies. */
    readonly names: Interner,
    readonly accounts: Interner,
  ) {
    this.targetIds = new LastValueId(names);
    this.errorIds = new LastValueId(names);
    this.servedByIds = new LastValueId(names);
    this.currencyIds = new LastValueId(names);
  }

  add(a: Attempt): number {
    const i = this.count++;
    if (i >= this.capacity) {
      this.capacity *= 2;
      for (const column of this.columns) column.ensure(this.capacity - 1);
    }
    this.seq.data[i] = a.seq;
    this.kind.data[i] = KIND[a.kind] ?? KIND.first;
    this.outcome.data[i] = OUTCOME[a.outcome] ?? OUTCOME.info;
    this.status.data[i] = a.status;
    this.target.data[i] = this.targetIds.id(a.target);
    this.intendedStart.data[i] = a.intendedStart;
    this.start.data[i] = a.start;
    this.end.data[i] = a.end;
    if (a.error !== undefined) this.error.data[i] = this.errorIds.id(a.error);
    if (a.servedBy !== undefined) this.servedBy.data[i] = this.servedByIds.id(a.servedBy);
    if (a.epoch !== undefined) this.epoch.data[i] = a.epoch;
    if (a.bodyHash !== undefined) this.bodyHash.data[i] = fnv1a(a.bodyHash) || 1;
    if (a.account !== undefined) this.account.data[i] = this.accounts.id(a.account);
    if (a.balance !== undefined) this.balance.data[i] = a.balance;
    const p = a.payload;
    if (p !== undefined) {
      this.from.data[i] = this.accounts.id(p.from);
      this.to.data[i] = this.accounts.id(p.to);
      this.amount.data[i] = p.amount;
      this.currency.data[i] = this.currencyIds.id(p.currency);
      this.payloadId.data[i] = payloadIdentity(p.from, p.to, p.amount, p.currency);
    } else if (a.payloadHash !== undefined) {
      this.payloadId.data[i] = fnv1a(a.payloadHash) || 1;
    }
    if (a.key !== undefined) this.chain(i, a.key);
    return i;
  }

  private chain(i: number, key: string): void {
    const t = this.keyTable;
    const k = t.keys.id(key);
    this.key.set(i, k);
    t.ensure(k);
    const last = t.lastAttempt.data[k]!;
    if (last < 0) t.firstAttempt.data[k] = i;
    else this.nextSameKey.data[last] = i;
    t.lastAttempt.data[k] = i;
    t.attemptCount.data[k]!++;
  }

  /** The attempts of key k, ordered by start time then seq. */
  attemptsOf(k: number): number[] {
    const out: number[] = [];
    for (let i = this.keyTable.firstAttempt.get(k); i >= 0; i = this.nextSameKey.get(i)) out.push(i);
    const start = this.start.data;
    const seq = this.seq.data;
    out.sort((x, y) => start[x]! - start[y]! || seq[x]! - seq[y]!);
    return out;
  }

  isWrite(i: number): boolean {
    return this.kind.data[i] !== KIND.read;
  }
}

/**
 * Attempts kept as columns (one typed array per field) and chained per idempotency key, so the
 * checkers can walk "every attempt of key k" without holding a million Attempt objects.
 */
import type { Attempt, AttemptKind, Outcome } from '../load/attempt.js';
import { Interner, f64, fnv1a, i32, u16, u32, u8 } from './compact.js';

export const KINDS: readonly AttemptKind[] = ['first', 'retry', 'replay', 'concurrent', 'mismatch', 'read'];
export const KIND = { first: 0, retry: 1, replay: 2, concurrent: 3, mismatch: 4, read: 5 } as const;
export const OUTCOMES: readonly Outcome[] = ['ok', 'fail', 'info'];
export const OUTCOME = { ok: 0, fail: 1, info: 2 } as const;

/** Per idempotency key: its attempts (a chain through AttemptStore.nextSameKey) and its ledger rows. */
export class KeyTable {
  readonly keys = new Interner();
  readonly firstAttempt = i32();
  readonly lastAttempt = i32();
  readonly attemptCount = u32();
  /** The authoritative ledger's transactions for k: A(k) and a chain through RegionLedger.nextTxSameKey. */
  readonly firstTx = i32();
  readonly lastTx = i32();
  readonly txCount = u32();
}

export class AttemptStore {
  count = 0;
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
  readonly bodyHash: (string | undefined)[] = [];
  readonly payloadHash = i32();
  readonly nextSameKey = i32();

  constructor(
    readonly keyTable: KeyTable,
    /** Regions, targets, error codes, currencies, payload hashes. */
    readonly names: Interner,
    readonly accounts: Interner,
  ) {}

  add(a: Attempt): number {
    const i = this.count++;
    this.seq.set(i, a.seq);
    this.kind.set(i, KIND[a.kind] ?? KIND.first);
    this.outcome.set(i, OUTCOME[a.outcome] ?? OUTCOME.info);
    this.status.set(i, a.status);
    this.target.set(i, this.names.id(a.target));
    this.intendedStart.set(i, a.intendedStart);
    this.start.set(i, a.start);
    this.end.set(i, a.end);
    if (a.error !== undefined) this.error.set(i, this.names.id(a.error));
    if (a.servedBy !== undefined) this.servedBy.set(i, this.names.id(a.servedBy));
    if (a.epoch !== undefined) this.epoch.set(i, a.epoch);
    if (a.bodyHash !== undefined) this.bodyHash[i] = a.bodyHash;
    if (a.account !== undefined) this.account.set(i, this.accounts.id(a.account));
    if (a.balance !== undefined) this.balance.set(i, a.balance);
    const p = a.payload;
    if (p !== undefined) {
      this.from.set(i, this.accounts.id(p.from));
      this.to.set(i, this.accounts.id(p.to));
      this.amount.set(i, p.amount);
      this.currency.set(i, this.names.id(p.currency));
      this.payloadId.set(i, fnv1a(`${p.from}\u0000${p.to}\u0000${p.amount}\u0000${p.currency}`) || 1);
    } else if (a.payloadHash !== undefined) {
      this.payloadId.set(i, fnv1a(a.payloadHash) || 1);
    }
    if (a.payloadHash !== undefined) this.payloadHash.set(i, this.names.id(a.payloadHash));
    if (a.key !== undefined) this.chain(i, a.key);
    return i;
  }

  private chain(i: number, key: string): void {
    const t = this.keyTable;
    const k = t.keys.id(key);
    this.key.set(i, k);
    const last = t.lastAttempt.get(k);
    if (last < 0) t.firstAttempt.set(k, i);
    else this.nextSameKey.set(last, i);
    t.lastAttempt.set(k, i);
    t.attemptCount.set(k, t.attemptCount.get(k) + 1);
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

/**
 * The payment workload: what each arrival does, drawn from a seeded PRNG so `--seed` reproduces the
 * sequence of decisions (kinds, accounts, amounts, duplicate targets). Every arrival consumes the
 * same number of draws whatever it turns into, so one decision never shifts the next.
 *
 * Shares (`mix`) are fractions of arrivals; the remainder are plain new payments. Replays and
 * mismatches reuse a payment that already completed (picked by a draw from a ring of recent ones);
 * which payments have completed depends on timing, so those two are reproducible in count, not in key.
 */
import { InputError } from '../contract/errors.js';
import type { LoadSpec } from './spec.js';
import type { PaymentPayload } from '../contract/payment.js';
import { hashString } from './hash.js';
import { createRandom } from './prng.js';
import type { Random } from './prng.js';

export type Operation =
  | { type: 'read'; account: string }
  | {
      type: 'payment';
      key: string;
      payload: PaymentPayload;
      body: string;
      payloadHash: string;
      duplicate?: Duplicate;
    }
  | { type: 'replay' | 'mismatch'; key: string; payload: PaymentPayload; body: string; payloadHash: string };

/** A second copy of the first request, sent at the same instant. */
export type Duplicate = { kind: 'concurrent' } | { kind: 'cross-region'; regions: [string, string] };

export type WorkloadSpec = Pick<LoadSpec, 'accounts' | 'amount' | 'mix'>;

interface Completed {
  key: string;
  payload: PaymentPayload;
}

const COMPLETED_RING = 4096;

export function accountId(index: number): string {
  return `acc-${String(index + 1).padStart(4, '0')}`;
}

export class PaymentWorkload {
  private readonly random: Random;
  private readonly spec: WorkloadSpec;
  private readonly keyPrefix: string;
  private readonly regions: string[];
  private readonly thresholds: {
    read: number;
    replay: number;
    concurrent: number;
    crossRegion: number;
    mismatch: number;
  };
  private readonly completedRing: Completed[] = [];
  private completedNext = 0;
  private readonly accountIds: string[];
  /** JSON.stringify of every account id and of the currency, made once (bodies are built per arrival). */
  private readonly quoted = new Map<string, string>();

  constructor(spec: WorkloadSpec, options: { seed: number; keyPrefix: string; regions: string[] }) {
    const { mix } = spec;
    const total =
      mix.reads + mix.replays + mix.concurrentDuplicates + mix.crossRegionDuplicates + mix.mismatches;
    if (total > 1 + 1e-9)
      throw new InputError(
        'LOAD_MIX_OVER_ONE',
        `load.mix shares add up to ${total.toFixed(3)}; they must add up to at most 1`,
        {
          details: ['each share is a fraction of arrivals; the remainder are new payments'],
        },
      );
    if (mix.crossRegionDuplicates > 0 && options.regions.length < 2)
      throw new InputError(
        'LOAD_CROSS_REGION_TARGETS',
        `load.mix.crossRegionDuplicates needs the API URLs of at least two regions (got ${options.regions.length})`,
        { details: ['run against a topology with two or more regions, or set crossRegionDuplicates: 0'] },
      );
    if (spec.amount.min > spec.amount.max)
      throw new InputError(
        'LOAD_AMOUNT_RANGE',
        `load.amount.min (${spec.amount.min}) is above load.amount.max (${spec.amount.max})`,
      );
    this.spec = spec;
    this.random = createRandom(options.seed, 1);
    this.keyPrefix = options.keyPrefix;
    this.regions = options.regions;
    let edge = 0;
    const next = (share: number): number => (edge += share);
    this.thresholds = {
      read: next(mix.reads),
      replay: next(mix.replays),
      concurrent: next(mix.concurrentDuplicates),
      crossRegion: next(mix.crossRegionDuplicates),
      mismatch: next(mix.mismatches),
    };
    this.accountIds = Array.from({ length: spec.accounts.count }, (_, i) => accountId(i));
    for (const text of [...this.accountIds, spec.accounts.currency])
      this.quoted.set(text, JSON.stringify(text));
  }

  /** The operation for arrival `index` (call in increasing index order). */
  next(index: number): Operation {
    const u = this.random();
    const uFrom = this.random();
    const uTo = this.random();
    const uAmount1 = this.random();
    const uAmount2 = this.random();
    const uPick = this.random(); // six draws per arrival, always
    const t = this.thresholds;
    if (u < t.read)
      return { type: 'read', account: this.accountIds[Math.floor(uFrom * this.accountIds.length)]! };
    if (u < t.replay || (u >= t.crossRegion && u < t.mismatch)) {
      const reused = this.pickCompleted(uPick);
      if (reused !== undefined) {
        if (u < t.replay) return this.describe('replay', reused.key, reused.payload);
        const amount =
          reused.payload.amount >= this.spec.amount.max
            ? reused.payload.amount - 1
            : reused.payload.amount + 1;
        return this.describe('mismatch', reused.key, { ...reused.payload, amount });
      }
      // Nothing completed yet to reuse: this arrival becomes a plain new payment.
    }
    const payload = this.payload(uFrom, uTo, uAmount1, uAmount2);
    const operation: Operation = this.describe('payment', this.key(index), payload);
    if (u >= t.replay && u < t.concurrent) operation.duplicate = { kind: 'concurrent' };
    else if (u >= t.concurrent && u < t.crossRegion) {
      const n = this.regions.length;
      const first = Math.floor(uPick * n);
      const second = (first + 1 + Math.floor(((uPick * n) % 1) * (n - 1))) % n;
      operation.duplicate = { kind: 'cross-region', regions: [this.regions[first]!, this.regions[second]!] };
    }
    return operation;
  }

  /** A payment completed (any documented answer): it may now be replayed or reused with a mismatch. */
  completed(key: string, payload: PaymentPayload): void {
    // Kept only when something reuses them: each entry lives seconds, so the GC would promote it.
    if (this.spec.mix.replays === 0 && this.spec.mix.mismatches === 0) return;
    const entry = { key, payload };
    if (this.completedRing.length < COMPLETED_RING) this.completedRing.push(entry);
    else this.completedRing[this.completedNext] = entry;
    this.completedNext = (this.completedNext + 1) % COMPLETED_RING;
  }

  key(index: number): string {
    return `${this.keyPrefix}-${index.toString(36)}`;
  }

  private pickCompleted(u: number): Completed | undefined {
    if (this.completedRing.length === 0) return undefined;
    return this.completedRing[Math.floor(u * this.completedRing.length)];
  }

  private describe<T extends 'payment' | 'replay' | 'mismatch'>(
    type: T,
    key: string,
    payload: PaymentPayload,
  ): { type: T; key: string; payload: PaymentPayload; body: string; payloadHash: string } {
    const body = this.body(payload);
    return { type, key, payload, body, payloadHash: hashString(body) };
  }

  /** The request body: `JSON.stringify({from, to, amount, currency})`, built as a template (hot path). */
  private body(payload: PaymentPayload): string {
    const { from, to, amount, currency } = payload;
    return `{"from":${this.quote(from)},"to":${this.quote(to)},"amount":${JSON.stringify(amount)},"currency":${this.quote(currency)}}`;
  }

  private quote(text: string): string {
    return this.quoted.get(text) ?? JSON.stringify(text);
  }

  private payload(uFrom: number, uTo: number, uAmount1: number, uAmount2: number): PaymentPayload {
    const count = this.accountIds.length;
    const from = Math.floor(uFrom * count);
    let to = Math.floor(uTo * (count - 1));
    if (to >= from) to++;
    return {
      from: this.accountIds[from]!,
      to: this.accountIds[to]!,
      amount: this.amount(uAmount1, uAmount2),
      currency: this.spec.accounts.currency,
    };
  }

  /** Uniform integer in [min, max], or lognormal with its median at the geometric mean and ±3σ spanning the range. */
  private amount(u1: number, u2: number): number {
    const { min, max, distribution } = this.spec.amount;
    if (distribution === 'uniform') return min + Math.floor(u1 * (max - min + 1));
    const mu = (Math.log(min) + Math.log(max)) / 2;
    const sigma = Math.max(1e-9, (Math.log(max) - Math.log(min)) / 6);
    const z = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    return Math.min(max, Math.max(min, Math.round(Math.exp(mu + sigma * z))));
  }
}

/** Exponential backoff with equal jitter, capped: attempt n (1-based retry) waits in [b/2, b], b = min(max, base·2^(n−1)). */
export function backoffMs(retry: number, baseMs: number, maxMs: number, random: Random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

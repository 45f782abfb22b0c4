/**
 * Executes `POST /v1/payments` against the current primary. The correct path is ONE round trip: the
 * SQL function chaosbank_pay (stack/db/ledger.sql) asserts the fencing lease, takes the key's advisory
 * lock, looks up the idempotency record, moves the money and stores the response in one transaction.
 * The seeded bugs switch to the broken variants documented in docs/stack-api.md.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import type { PaymentPayload } from '../../src/contract/payment.js';
import type { Logger } from '../shared/log.js';
import { OVERDRAFT_CONSTRAINT } from '../db/ledger-schema.js';
import type { ApiConfig } from './config.js';
import { classifyDbError, createPool, errorMessage } from './db.js';
import type { KnownPrimary, PrimaryDiscovery } from './discovery.js';

export interface PaymentResult {
  status: number;
  body: string;
  replayed: boolean;
  /** Epoch of the primary written to (or known), for X-Primary-Epoch. */
  epoch: number | null;
  /** Runs after the response was sent (seeded bugs that act after the ack). */
  afterResponse?: () => Promise<void>;
}

type Outcome = 'succeeded' | 'declined' | 'invalid' | 'mismatch' | 'in_flight';
type Mode = 'locked' | 'check-then-insert' | 'check-only' | 'none';

interface PayRow {
  outcome: Outcome;
  body: string | null;
  replayed: boolean;
  transaction_id: string | null;
}

const PAY_SQL =
  'SELECT outcome, body, replayed, transaction_id FROM chaosbank_pay($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)';

type CacheEntry = { hash: string; inFlight: true } | { hash: string; inFlight: false; result: PaymentResult };
const LOCAL_CACHE_LIMIT = 200_000;

export function errorBody(type: string, message: string): string {
  return JSON.stringify({ error: { type, message } });
}

export class PaymentService {
  #pools = new Map<string, pg.Pool>();
  #mode: Mode;
  #bugs: Set<string>;
  #payments = 0;
  #localCache = new Map<string, CacheEntry>();
  #overdraftGuardDropped = new Set<string>();
  #pending = new Set<Promise<void>>();

  constructor(
    private readonly config: ApiConfig,
    private readonly discovery: PrimaryDiscovery,
    private readonly log: Logger,
  ) {
    this.#bugs = new Set(config.bugs);
    this.#mode = this.#bugs.has('idempotency-race')
      ? 'check-then-insert'
      : this.#bugs.has('idempotency-outside-tx')
        ? 'check-only'
        : this.#bugs.has('local-idempotency-cache')
          ? 'none'
          : 'locked';
  }

  async pay(key: string, payload: PaymentPayload, hash: string): Promise<PaymentResult> {
    let primary = this.discovery.primary;
    if (primary === null) {
      await this.discovery.pollNow();
      primary = this.discovery.primary;
      if (primary === null)
        return this.#unavailable(null, `no primary database known: ${this.discovery.notReadyReason()}`);
    }
    if (this.#mode === 'none') return this.#payWithLocalCache(primary, key, payload, hash);
    return this.#payOnPrimary(primary, key, payload, hash);
  }

  /** Waits for the post-response work of the seeded bugs, then closes the pools. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
    await Promise.all([...this.#pools.values()].map((p) => p.end()));
  }

  async #payOnPrimary(
    primary: KnownPrimary,
    key: string,
    p: PaymentPayload,
    hash: string,
  ): Promise<PaymentResult> {
    const pool = this.#pool(primary.region);
    const split = this.#bugs.has('split-debit-credit');
    const values = [
      key,
      hash,
      p.from,
      p.to,
      p.amount,
      p.currency,
      primary.epoch,
      !this.#bugs.has('no-fencing'),
      !this.#bugs.has('no-overdraft-check'),
      this.#mode,
      split,
    ];
    try {
      await this.#dropOverdraftGuardOnce(primary.region, pool);
      if (this.#bugs.has('ack-before-commit')) return await this.#payAckBeforeCommit(pool, primary, values);
      const { rows } = await pool.query<PayRow>({ name: 'chaosbank-pay', text: PAY_SQL, values });
      const row = rows[0]!;
      const result = this.#result(row, primary.epoch);
      if (split && row.outcome === 'succeeded' && !row.replayed)
        return await this.#credit(pool, primary, row.transaction_id!, p, result);
      if (this.#mode === 'check-only' && !row.replayed && row.body !== null && row.outcome !== 'mismatch')
        result.afterResponse = () => this.#storeResponseLate(pool, key, hash, row);
      return result;
    } catch (error) {
      return this.#failed(primary, error);
    }
  }

  /** Seeded bug ack-before-commit: the 201 goes out while the transaction is still open. */
  async #payAckBeforeCommit(pool: pg.Pool, primary: KnownPrimary, values: unknown[]): Promise<PaymentResult> {
    const client = await pool.connect();
    // a checked-out client has no pool listener: a dying connection must not crash the process
    const onError = (error: Error) =>
      this.log.warn('connection of an open transaction failed', { error: error.message });
    client.on('error', onError);
    const release = (error?: Error) => {
      // Back to the pool healthy: the pool listens itself. Released with an error, the client is destroyed
      // and may still emit a late 'error' (57P01 when its server is fenced): our listener must stay.
      if (error === undefined) client.off('error', onError);
      client.release(error);
    };
    let rows: PayRow[];
    try {
      await client.query('BEGIN');
      rows = (await client.query<PayRow>({ name: 'chaosbank-pay', text: PAY_SQL, values })).rows;
    } catch (error) {
      release(error as Error);
      throw error;
    }
    const result = this.#result(rows[0]!, primary.epoch);
    result.afterResponse = async () => {
      await delay(this.config.bugWindowMs);
      try {
        await client.query('COMMIT');
        release();
      } catch (error) {
        release(error as Error);
        this.log.error('commit after acknowledgement failed: an acknowledged payment is lost', {
          bug: 'ack-before-commit',
          error: errorMessage(error),
        });
      }
    };
    return result;
  }

  /** Seeded bug split-debit-credit: the credit in a second transaction; every Nth one "crashes" first. */
  async #credit(
    pool: pg.Pool,
    primary: KnownPrimary,
    txn: string,
    p: PaymentPayload,
    result: PaymentResult,
  ): Promise<PaymentResult> {
    this.#payments += 1;
    if (this.#payments % this.config.splitFailEvery === 0) {
      this.log.error('credit step failed after the debit committed (injected)', {
        bug: 'split-debit-credit',
        txn,
      });
      return {
        status: 500,
        body: errorBody('internal', 'payment failed half-way'),
        replayed: false,
        epoch: primary.epoch,
      };
    }
    await pool.query({
      name: 'chaosbank-credit',
      text: 'SELECT chaosbank_credit($1,$2,$3,$4,$5,$6)',
      values: [primary.epoch, !this.#bugs.has('no-fencing'), txn, p.to, p.amount, p.currency],
    });
    return result;
  }

  /** Seeded bug idempotency-outside-tx: the record is written in its own transaction, later. */
  async #storeResponseLate(pool: pg.Pool, key: string, hash: string, row: PayRow): Promise<void> {
    await delay(this.config.bugWindowMs);
    try {
      await pool.query({
        name: 'chaosbank-store-response',
        text: 'SELECT chaosbank_store_response($1,$2,$3,$4,$5)',
        values: [key, hash, row.outcome, row.body, row.transaction_id],
      });
    } catch (error) {
      this.log.error('storing the idempotency record failed', {
        bug: 'idempotency-outside-tx',
        error: errorMessage(error),
      });
    }
  }

  /** Seeded bug local-idempotency-cache: this process's memory stands in for the database's records. */
  async #payWithLocalCache(
    primary: KnownPrimary,
    key: string,
    p: PaymentPayload,
    hash: string,
  ): Promise<PaymentResult> {
    const cached = this.#localCache.get(key);
    const statuses = this.config.statuses;
    if (cached !== undefined) {
      if (cached.hash !== hash)
        return this.#plain(
          statuses.mismatch,
          'idempotency_key_reused',
          'key reused with another payload',
          primary,
        );
      if (cached.inFlight)
        return this.#plain(
          statuses.inFlight,
          'idempotency_key_in_flight',
          'a request with this key is in flight',
          primary,
        );
      return { ...cached.result, replayed: true, afterResponse: undefined };
    }
    this.#localCache.set(key, { hash, inFlight: true });
    const result = await this.#payOnPrimary(primary, key, p, hash);
    if (result.status < 500) {
      if (this.#localCache.size >= LOCAL_CACHE_LIMIT)
        this.#localCache.delete(this.#localCache.keys().next().value!);
      this.#localCache.set(key, { hash, inFlight: false, result });
    } else {
      this.#localCache.delete(key);
    }
    return result;
  }

  async #dropOverdraftGuardOnce(region: string, pool: pg.Pool): Promise<void> {
    if (!this.#bugs.has('no-overdraft-check') || this.#overdraftGuardDropped.has(region)) return;
    // the buggy release "migrated away" the database guard too, so nothing stops an overdraft
    await pool.query(`ALTER TABLE accounts DROP CONSTRAINT IF EXISTS ${OVERDRAFT_CONSTRAINT}`);
    this.#overdraftGuardDropped.add(region);
  }

  #result(row: PayRow, epoch: number): PaymentResult {
    const statuses = this.config.statuses;
    switch (row.outcome) {
      case 'succeeded':
        return { status: 201, body: row.body!, replayed: row.replayed, epoch };
      case 'declined':
        return { status: statuses.decline, body: row.body!, replayed: row.replayed, epoch };
      case 'invalid':
        return { status: 400, body: row.body!, replayed: row.replayed, epoch };
      case 'mismatch':
        return this.#plain(
          statuses.mismatch,
          'idempotency_key_reused',
          'this Idempotency-Key was already used with a different payload',
          { epoch },
        );
      case 'in_flight':
        return this.#plain(
          statuses.inFlight,
          'idempotency_key_in_flight',
          'a request with this Idempotency-Key is still being processed; retry later',
          { epoch },
        );
    }
  }

  #plain(status: number, type: string, message: string, primary: { epoch: number }): PaymentResult {
    return { status, body: errorBody(type, message), replayed: false, epoch: primary.epoch };
  }

  #failed(primary: KnownPrimary, error: unknown): PaymentResult {
    const kind = classifyDbError(error);
    const message = errorMessage(error);
    if (kind === 'conflict')
      return this.#plain(
        this.config.statuses.inFlight,
        'idempotency_key_in_flight',
        'concurrent request; retry',
        primary,
      );
    if (kind === 'bug') {
      this.log.error('payment failed', { error: message, primary: primary.region, epoch: primary.epoch });
      return {
        status: 500,
        body: errorBody('internal', 'internal error'),
        replayed: false,
        epoch: primary.epoch,
      };
    }
    // unavailable or fenced: the primary may have changed; look again now
    void this.discovery.pollNow();
    return this.#unavailable(
      primary.epoch,
      `primary ${primary.region} (epoch ${primary.epoch}) ${kind}: ${message}`,
    );
  }

  #unavailable(epoch: number | null, message: string): PaymentResult {
    return { status: 503, body: errorBody('unavailable', message), replayed: false, epoch };
  }

  #pool(region: string): pg.Pool {
    let pool = this.#pools.get(region);
    if (pool === undefined) {
      const url = this.config.dbs[region]!;
      pool = createPool(
        url,
        {
          max: this.config.poolSize,
          statementTimeoutMs: this.config.statementTimeoutMs,
          name: `chaosbank-api-${this.config.region}`,
        },
        this.log,
      );
      this.#pools.set(region, pool);
    }
    return pool;
  }

  /** Track post-response work so close() can wait for it. */
  track(work: Promise<void>): void {
    this.#pending.add(work);
    void work.finally(() => this.#pending.delete(work));
  }
}

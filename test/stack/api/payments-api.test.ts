import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StartedApi } from '../../../stack/api/server.js';
import type { ExportedAccount, ExportedTransaction, ExportEnd } from '../../../src/contract/ledger-export.js';
import {
  exportLedger,
  get,
  pay,
  sql,
  startTestApi,
  startTestPostgres,
  transactionsPerKey,
  waitFor,
  type TestPostgres,
} from './helpers.js';

let pgc: TestPostgres;
const apis: StartedApi[] = [];

beforeAll(async () => {
  pgc = await startTestPostgres();
});
afterAll(async () => {
  await pgc?.stop();
});
afterEach(async () => {
  await Promise.all(apis.splice(0).map((a) => a.close()));
});

async function setup(extra: Parameters<typeof startTestApi>[1] = {}) {
  const db = await pgc.createLedger();
  const api = await startTestApi(db, extra);
  apis.push(api);
  return { db, api, url: api.url };
}

const payment = { from: 'acc-0001', to: 'acc-0002', amount: 250, currency: 'EUR' };

describe('payments API', () => {
  it('executes a payment once and replays the stored response', async () => {
    const { db, url } = await setup();
    const first = await pay(url, 'k-1', payment);
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ ...payment, status: 'succeeded', idempotency_key: 'k-1' });
    expect(first.json.id).toMatch(/^pay_/);
    expect(first.headers['x-served-by-region']).toBe('us-east');
    expect(first.headers['x-primary-epoch']).toBe('1');
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const replay = await pay(url, 'k-1', payment);
    expect(replay.status).toBe(201);
    expect(replay.text).toBe(first.text);
    expect(replay.headers['idempotent-replayed']).toBe('true');

    expect((await get(url, '/v1/accounts/acc-0001')).json).toEqual({
      id: 'acc-0001',
      currency: 'EUR',
      balance: 9_750,
    });
    expect((await get(url, '/v1/accounts/acc-0002')).json.balance).toBe(10_250);
    expect((await get(url, `/v1/payments/${first.json.id}`)).json).toEqual(first.json);
    expect((await get(url, '/v1/payments/pay_nope')).status).toBe(404);
    const all = await get(url, '/v1/accounts');
    expect(all.json.accounts).toHaveLength(10);
    expect(all.json.accounts.reduce((s: number, a: { balance: number }) => s + a.balance, 0)).toBe(100_000);
    expect((await transactionsPerKey(db)).get('k-1')).toBe(1);
  });

  it('answers 400 without a key or with an invalid body, and stores neither', async () => {
    const { db, url } = await setup();
    const missing = await pay(url, undefined, payment);
    expect(missing.status).toBe(400);
    expect(missing.json.error.type).toBe('idempotency_key_missing');
    for (const bad of [
      'not json',
      { ...payment, amount: -5 },
      { ...payment, amount: 1.5 },
      { ...payment, to: 'acc-0001' },
    ]) {
      const res = await pay(url, 'k-bad', bad);
      expect(res.status).toBe(400);
      expect(res.json.error.type).toBe('invalid_request');
    }
    // malformed requests never started executing, so the key is still free (Stripe's rule)
    expect((await pay(url, 'k-bad', payment)).status).toBe(201);
    expect((await sql(db, 'SELECT key FROM idempotency_keys')).map((r) => r.key)).toEqual(['k-bad']);
  });

  it('stores business validation errors (unknown account) like any outcome', async () => {
    const { url } = await setup();
    const first = await pay(url, 'k-unknown', { ...payment, to: 'acc-9999' });
    expect(first.status).toBe(400);
    expect(first.json.error.type).toBe('unknown_account');
    const again = await pay(url, 'k-unknown', { ...payment, to: 'acc-9999' });
    expect(again.text).toBe(first.text);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await pay(url, 'k-system', { ...payment, from: '@funding' })).status).toBe(400);
  });

  it('answers 422 when a key is reused with another payload, without executing it', async () => {
    const { db, url } = await setup();
    expect((await pay(url, 'k-2', payment)).status).toBe(201);
    const mismatch = await pay(url, 'k-2', { ...payment, amount: 999 });
    expect(mismatch.status).toBe(422);
    expect(mismatch.json.error.type).toBe('idempotency_key_reused');
    expect(
      (await sql(db, `SELECT amount FROM transactions WHERE idempotency_key = 'k-2'`)).map((r) =>
        Number(r.amount),
      ),
    ).toEqual([250]);
  });

  it('uses the configured statuses (Stripe-style mismatch 400)', async () => {
    const { url } = await setup({
      statuses: { mismatch: 400, inFlight: 409, missingKey: 400, decline: 402 },
    });
    expect((await pay(url, 'k-s', payment)).status).toBe(201);
    expect((await pay(url, 'k-s', { ...payment, amount: 1 })).status).toBe(400);
  });

  it('declines insufficient funds with 402, stores the decline and changes nothing', async () => {
    const { db, url } = await setup();
    const decline = await pay(url, 'k-big', { ...payment, amount: 10_001 });
    expect(decline.status).toBe(402);
    expect(decline.json.error.type).toBe('insufficient_funds');
    const replay = await pay(url, 'k-big', { ...payment, amount: 10_001 });
    expect(replay.status).toBe(402);
    expect(replay.text).toBe(decline.text);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect((await transactionsPerKey(db)).has('k-big')).toBe(false);
    expect((await get(url, '/v1/accounts/acc-0001')).json.balance).toBe(10_000);
    // the exact balance is allowed
    expect((await pay(url, 'k-all', { ...payment, amount: 10_000 })).status).toBe(201);
  });

  it('executes 50 concurrent requests with one key exactly once', async () => {
    const { db, url } = await setup();
    const results = await Promise.all(Array.from({ length: 50 }, () => pay(url, 'k-hot', payment)));
    const statuses = new Set(results.map((r) => r.status));
    expect([...statuses].every((s) => s === 201 || s === 409)).toBe(true);
    const oks = results.filter((r) => r.status === 201);
    expect(oks.length).toBeGreaterThanOrEqual(1);
    expect(new Set(oks.map((r) => r.text)).size).toBe(1);
    expect((await transactionsPerKey(db)).get('k-hot')).toBe(1);
    expect((await get(url, '/v1/accounts/acc-0001')).json.balance).toBe(9_750);
    // once the first completed, every retry is the identical replay
    const after = await pay(url, 'k-hot', payment);
    expect(after.status).toBe(201);
    expect(after.text).toBe(oks[0]!.text);
  });

  it('keeps concurrent opposite payments deadlock-free and the ledger balanced', async () => {
    const { url } = await setup();
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        pay(url, `k-mix-${i}`, {
          from: `acc-000${(i % 3) + 1}`,
          to: `acc-000${((i + 1) % 3) + 1}`,
          amount: 10 + i,
          currency: 'EUR',
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(results.map(() => 201));
    const lines = await exportLedger(url);
    const accounts = lines.filter((l): l is ExportedAccount => l.type === 'account');
    const txns = lines.filter((l): l is ExportedTransaction => l.type === 'transaction');
    const end = lines.at(-1) as ExportEnd;
    expect(end).toEqual({
      type: 'end',
      accounts: 11,
      transactions: 61,
      region: 'us-east',
      role: 'primary',
      epoch: 1,
    });
    expect(accounts.find((a) => a.id === '@funding')).toEqual({
      type: 'account',
      id: '@funding',
      currency: 'EUR',
      balance: -100_000,
      system: true,
    });
    expect(txns[0]).toMatchObject({ id: 'txn-funding', idempotency_key: null });
    expect(txns[0]!.entries).toHaveLength(11);
    const fromEntries = new Map<string, number>();
    for (const t of txns) {
      expect(t.entries.reduce((s, e) => s + e.amount, 0)).toBe(0);
      expect(Number.isNaN(Date.parse(t.created_at))).toBe(false);
      for (const e of t.entries) fromEntries.set(e.account, (fromEntries.get(e.account) ?? 0) + e.amount);
    }
    for (const a of accounts) expect(a.balance).toBe(fromEntries.get(a.id) ?? 0);
    expect(accounts.reduce((s, a) => s + a.balance, 0)).toBe(0);
    expect(new Set(txns.slice(1).map((t) => t.idempotency_key)).size).toBe(60);
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    const { url } = await setup();
    expect((await get(url, '/healthz')).status).toBe(200);
    const ready = await get(url, '/readyz');
    expect(ready.json).toMatchObject({ status: 'ready', primary: 'us-east', epoch: 1 });
    await pay(url, 'k-m', payment);
    await pay(url, undefined, payment);
    const metrics = await get(url, '/metrics');
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.text).toContain(
      'chaosbank_api_requests_total{region="us-east",route="/v1/payments",status="201"} 1',
    );
    expect(metrics.text).toContain(
      'chaosbank_api_requests_total{region="us-east",route="/v1/payments",status="400"} 1',
    );
    expect(metrics.text).toMatch(
      /chaosbank_api_request_duration_seconds_bucket\{region="us-east",route="\/v1\/payments",le="\+Inf"\} 2/,
    );
    expect(metrics.text).toContain('chaosbank_api_primary_epoch{region="us-east"} 1');
    expect(metrics.text).toContain('chaosbank_api_primary_info{region="us-east",primary="us-east"} 1');
    expect((await get(url, '/nope')).status).toBe(404);
  });

  it('refuses writes with 503 on a fenced database and on an expired lease', async () => {
    const { db, url } = await setup();
    await sql(db, `UPDATE chaosbank_control SET lease_until = now() - interval '1 second'`);
    const expired = await pay(url, 'k-lease', payment);
    expect(expired.status).toBe(503);
    expect(expired.json.error.message).toMatch(/lease expired/);
    await sql(db, `UPDATE chaosbank_control SET lease_until = now() + interval '1 hour', fenced = true`);
    // a fenced database is no primary: readiness drops, writes get 503
    await waitFor(async () => (await get(url, '/readyz')).status === 503, 5_000, 'readyz 503');
    expect((await get(url, '/readyz')).json.reason).toMatch(/no primary/);
    const fenced = await pay(url, 'k-fenced', payment);
    expect(fenced.status).toBe(503);
    expect((await transactionsPerKey(db)).size).toBe(0);
    // the controller's new epoch: the API rediscovers and writes again
    await sql(db, `UPDATE chaosbank_control SET fenced = false, epoch = 2`);
    await waitFor(async () => (await get(url, '/readyz')).status === 200, 5_000, 'readyz 200');
    const ok = await pay(url, 'k-lease', payment);
    expect(ok.status).toBe(201);
    expect(ok.headers['x-primary-epoch']).toBe('2');
  });

  it('answers 503 when no database is reachable', async () => {
    const db = await pgc.createLedger();
    const dead = 'postgres://postgres:password@127.0.0.1:1/none';
    const { startApi } = await import('../../../stack/api/server.js');
    const api = await startApi(
      {
        runId: 't',
        region: 'us-east',
        port: 0,
        host: '127.0.0.1',
        localDb: db,
        dbs: { 'us-east': dead },
        discoveryIntervalMs: 50,
      },
      { writeLog: () => undefined },
    );
    apis.push(api);
    const res = await pay(api.url, 'k-x', payment);
    expect(res.status).toBe(503);
    expect(res.headers['x-primary-epoch']).toBe('0');
    const ready = await get(api.url, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json.reason).toMatch(/no primary known/);
  });
});

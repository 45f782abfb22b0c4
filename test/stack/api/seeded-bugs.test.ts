/**
 * Each seeded bug of the payments API, switched on, reproducibly produces the anomaly it exists for
 * (asserted on the ledger itself); the correct stack under the same conditions does not.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StartedApi } from '../../../stack/api/server.js';
import type { ExportedAccount, ExportedTransaction } from '../../../src/contract/ledger-export.js';
import type { SeededBug } from '../../../src/contract/seeded-bugs.js';
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

async function api(db: string, bugs: SeededBug[], extra: Parameters<typeof startTestApi>[1] = {}) {
  const started = await startTestApi(db, { bugs, ...extra });
  apis.push(started);
  return started.url;
}

const payment = { from: 'acc-0001', to: 'acc-0002', amount: 100, currency: 'EUR' };

describe('seeded bugs of the payments API', () => {
  it('idempotency-race: concurrent same-key requests execute more than once (duplicate-application)', async () => {
    const db = await pgc.createLedger();
    const url = await api(db, ['idempotency-race']);
    const results = await Promise.all(Array.from({ length: 50 }, () => pay(url, 'k-race', payment)));
    const executions = (await transactionsPerKey(db)).get('k-race') ?? 0;
    expect(executions).toBeGreaterThan(1);
    expect(new Set(results.filter((r) => r.status === 201).map((r) => r.json.id)).size).toBeGreaterThan(1);
  });

  it('idempotency-outside-tx: a retry inside the window executes again (duplicate-application)', async () => {
    const db = await pgc.createLedger();
    const url = await api(db, ['idempotency-outside-tx'], { bugWindowMs: 1_000 });
    const first = await pay(url, 'k-out', payment);
    const retry = await pay(url, 'k-out', payment);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.json.id).not.toBe(first.json.id);
    expect((await transactionsPerKey(db)).get('k-out')).toBe(2);
    // once the late record lands, retries replay the first response
    await waitFor(
      async () => (await sql(db, `SELECT 1 FROM idempotency_keys WHERE key = 'k-out'`)).length === 1,
      5_000,
      'the late idempotency record',
    );
    const late = await pay(url, 'k-out', payment);
    expect(late.headers['idempotent-replayed']).toBe('true');
    expect([first.text, retry.text]).toContain(late.text);
    expect((await transactionsPerKey(db)).get('k-out')).toBe(2);
  });

  it('split-debit-credit: a crash between debit and credit leaves unbalanced entries and breaks conservation', async () => {
    const db = await pgc.createLedger();
    const url = await api(db, ['split-debit-credit'], { splitFailEvery: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await pay(url, `k-split-${i}`, payment)).status);
    expect(statuses).toEqual([201, 201, 500, 201, 201, 500]);
    const lines = await exportLedger(url);
    const txns = lines.filter((l): l is ExportedTransaction => l.type === 'transaction');
    const unbalanced = txns.filter((t) => t.entries.reduce((s, e) => s + e.amount, 0) !== 0);
    expect(unbalanced.map((t) => t.idempotency_key)).toEqual(['k-split-2', 'k-split-5']);
    const total = lines
      .filter((l): l is ExportedAccount => l.type === 'account')
      .reduce((s, a) => s + a.balance, 0);
    expect(total).toBe(-200);
    // and the retry of the "failed" payment now claims success (outcome flip)
    expect((await pay(url, 'k-split-2', payment)).status).toBe(201);
  });

  it('no-overdraft-check: a customer account goes negative (negative-balance), even where the schema had the guard', async () => {
    const guarded = await pgc.createLedger();
    const correct = await api(guarded, []);
    expect((await pay(correct, 'k-od-0', { ...payment, amount: 10_001 })).status).toBe(402);

    const url = await api(guarded, ['no-overdraft-check']);
    expect((await pay(url, 'k-od-1', { ...payment, amount: 10_001 })).status).toBe(201);
    expect((await get(url, '/v1/accounts/acc-0001')).json.balance).toBe(-1);

    const unguarded = await pgc.createLedger({ bugs: ['no-overdraft-check'] });
    expect(
      await sql(unguarded, `SELECT 1 FROM pg_constraint WHERE conname = 'accounts_no_overdraft'`),
    ).toHaveLength(0);
    const url2 = await api(unguarded, ['no-overdraft-check']);
    expect((await pay(url2, 'k-od-2', { ...payment, amount: 20_000 })).status).toBe(201);
    expect((await get(url2, '/v1/accounts/acc-0001')).json.balance).toBe(-10_000);
  });

  it('local-idempotency-cache: the same key sent to two regions executes twice (cross-region-duplicate)', async () => {
    const db = await pgc.createLedger();
    const east = await api(db, ['local-idempotency-cache']);
    const west = await api(db, ['local-idempotency-cache'], { region: 'eu-west' });
    const a = await pay(east, 'k-x', payment);
    const b = await pay(west, 'k-x', payment);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers['x-served-by-region']).toBe('eu-west');
    expect(b.json.id).not.toBe(a.json.id);
    expect((await transactionsPerKey(db)).get('k-x')).toBe(2);
    // the same region still replays from its memory
    const replay = await pay(east, 'k-x', payment);
    expect(replay.text).toBe(a.text);

    // the correct stack: the second region replays the first region's response
    const db2 = await pgc.createLedger();
    const east2 = await api(db2, []);
    const west2 = await api(db2, [], { region: 'eu-west' });
    const c = await pay(east2, 'k-y', payment);
    const d = await pay(west2, 'k-y', payment);
    expect(d.text).toBe(c.text);
    expect((await transactionsPerKey(db2)).get('k-y')).toBe(1);
  });

  it('ack-before-commit: an acknowledged payment is lost when the database connection dies (lost-write)', async () => {
    const crashOpenTransactions = (db: string) =>
      sql(
        db,
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND state = 'idle in transaction' AND application_name LIKE 'chaosbank-api%'`,
      );
    const db = await pgc.createLedger();
    const url = await api(db, ['ack-before-commit'], { bugWindowMs: 2_000 });
    const acked = await pay(url, 'k-ack', payment);
    expect(acked.status).toBe(201);
    expect(await crashOpenTransactions(db)).toHaveLength(1);
    expect((await transactionsPerKey(db)).has('k-ack')).toBe(false);
    expect((await get(url, `/v1/payments/${acked.json.id}`)).status).toBe(404);

    // the correct stack under the same crash keeps every acknowledged payment
    const db2 = await pgc.createLedger();
    const url2 = await api(db2, []);
    const ok = await pay(url2, 'k-ack', payment);
    expect(await crashOpenTransactions(db2)).toHaveLength(0);
    expect((await get(url2, `/v1/payments/${ok.json.id}`)).status).toBe(200);
  });

  it('no-fencing: an isolated old primary with an expired lease still acknowledges writes (split-brain)', async () => {
    // two databases stand for the old primary (epoch 1, lease run out, not reachable by the controller
    // to be fenced) and the promoted one (epoch 2); each region's API reaches only one of them
    const oldPrimary = await pgc.createLedger({ region: 'us-east' });
    const newPrimary = await pgc.createLedger({ region: 'eu-west' });
    await sql(oldPrimary, `UPDATE chaosbank_control SET lease_until = now() - interval '1 second'`);
    await sql(newPrimary, `UPDATE chaosbank_control SET epoch = 2, region = 'eu-west'`);

    const fencedEast = await api(oldPrimary, []);
    expect((await pay(fencedEast, 'k-fence', payment)).status).toBe(503);
    expect((await transactionsPerKey(oldPrimary)).size).toBe(0);

    const east = await api(oldPrimary, ['no-fencing']);
    const west = await startTestApi(newPrimary, {
      bugs: ['no-fencing'],
      region: 'eu-west',
      dbs: { 'eu-west': newPrimary },
    });
    apis.push(west);
    const a = await pay(east, 'k-sb-1', payment);
    const b = await pay(west.url, 'k-sb-2', payment);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect([a.headers['x-served-by-region'], a.headers['x-primary-epoch']]).toEqual(['us-east', '1']);
    expect([b.headers['x-served-by-region'], b.headers['x-primary-epoch']]).toEqual(['eu-west', '2']);
    expect((await transactionsPerKey(oldPrimary)).get('k-sb-1')).toBe(1);
  });
});

/**
 * `npm run bench -- stack-api`: payments per second and latency through ONE region's payments API
 * (the real process, `node dist/stack/api/main.js`) at a primary (single embedded PostgreSQL, no
 * replication), driven by an undici Pool with 64 concurrent requests for 10 s, every request a new
 * payment with its own Idempotency-Key between random accounts. Reports the API process's CPU time per
 * payment too (Linux), a steadier figure than payments/s on a shared machine.
 */
import pg from 'pg';
import type { BenchResult } from './run.js';
import { paymentLoad, startProgram, waitUntil, type StackProgram } from './_stack-load.js';
import { applyLedgerSchema } from '../stack/db/ledger-schema.js';
import { readStackSql } from '../stack/db/sql-file.js';
import { CONTROL_ROW_SQL, startSinglePostgres } from '../stack/db/single-postgres.js';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const WARMUP_MS = 1_000;
const ACCOUNTS = 1_000;
const TARGET_PER_S = 1_000;

export async function run(): Promise<BenchResult> {
  const postgres = await startSinglePostgres({ settings: { shared_buffers: '256MB' } });
  let api: StackProgram | undefined;
  try {
    const db = await postgres.createDatabase('bench');
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    try {
      await client.query(readStackSql('control.sql'));
      await client.query(CONTROL_ROW_SQL, [1, 'us-east']);
      await applyLedgerSchema(client, { count: ACCOUNTS, funding: 1_000_000_000, currency: 'EUR' });
    } finally {
      await client.end();
    }
    const config = {
      runId: 'bench',
      region: 'us-east',
      host: '127.0.0.1',
      port: 0,
      localDb: db,
      dbs: { 'us-east': db },
    };
    api = await startProgram('api', config);
    await waitUntil(`${api.url}/readyz`, (status) => status === 200, 'payments API not ready');
    const load = await paymentLoad({
      url: api.url,
      concurrency: CONCURRENCY,
      durationMs: DURATION_MS,
      warmupMs: WARMUP_MS,
      accounts: ACCOUNTS,
      currency: 'EUR',
      keyPrefix: 'bench',
      processes: { api: api.child.pid! },
    });
    const perSecond = load.paymentsPerSecond;
    const result: BenchResult = {
      setup: `1 API process (pg pool 16) -> 1 embedded PostgreSQL ${ACCOUNTS} accounts, no replication, default synchronous_commit`,
      ...load,
      targets: {
        'payments/s single region >= 1000': {
          target: `>= ${TARGET_PER_S}`,
          value: perSecond,
          met: perSecond >= TARGET_PER_S,
        },
      },
    };
    return result;
  } finally {
    await api?.stop();
    await postgres.stop();
  }
}

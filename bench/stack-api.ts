/**
 * `npm run bench -- stack-api`: payments per second and latency through ONE region's payments API
 * (the real process, `node dist/stack/api/main.js`) at a primary (single embedded PostgreSQL, no
 * replication), driven by an undici Pool with 64 concurrent requests for 10 s, every request a new
 * payment with its own Idempotency-Key between random accounts.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import pg from 'pg';
import { Pool } from 'undici';
import type { BenchResult } from './run.js';
import { applyLedgerSchema } from '../stack/db/ledger-schema.js';
import { readStackSql } from '../stack/db/sql-file.js';
import { CONTROL_ROW_SQL, startSinglePostgres } from '../stack/db/single-postgres.js';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const WARMUP_MS = 1_000;
const ACCOUNTS = 1_000;
const TARGET_PER_S = 1_000;

const mainJs = join(dirname(fileURLToPath(import.meta.url)), '..', 'stack', 'api', 'main.js');

export async function run(): Promise<BenchResult> {
  const postgres = await startSinglePostgres({ settings: { shared_buffers: '256MB' } });
  let apiProcess: ReturnType<typeof spawn> | undefined;
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
    apiProcess = spawn(process.execPath, [mainJs], {
      env: { ...process.env, CHAOSBANK_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await listeningUrl(apiProcess);
    await waitReady(url);

    const pool = new Pool(url, { connections: CONCURRENCY, pipelining: 1 });
    const histogram = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 60_000_000,
      numberOfSignificantValueDigits: 3,
    });
    const statuses: Record<string, number> = {};
    let measured = 0;
    let seq = 0;
    const start = Date.now();
    const measureFrom = start + WARMUP_MS;
    const stopAt = measureFrom + DURATION_MS;
    const worker = async (): Promise<void> => {
      while (Date.now() < stopAt) {
        const from = 1 + Math.floor(Math.random() * ACCOUNTS);
        const to = 1 + ((from + Math.floor(Math.random() * (ACCOUNTS - 1))) % ACCOUNTS);
        const body = `{"from":"acc-${String(from).padStart(4, '0')}","to":"acc-${String(to).padStart(4, '0')}","amount":1,"currency":"EUR"}`;
        const t0 = process.hrtime.bigint();
        const res = await pool.request({
          method: 'POST',
          path: '/v1/payments',
          headers: { 'content-type': 'application/json', 'idempotency-key': `bench-${++seq}` },
          body,
        });
        await res.body.text();
        const micros = Number((process.hrtime.bigint() - t0) / 1000n);
        if (Date.now() >= measureFrom) {
          histogram.recordValue(micros);
          measured += 1;
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsedS = (Date.now() - measureFrom) / 1000;
    await pool.close();
    const perSecond = Math.round((statuses['201'] ?? 0) / elapsedS);
    const result: BenchResult = {
      setup: `1 API process (pg pool 16) -> 1 embedded PostgreSQL ${ACCOUNTS} accounts, no replication, default synchronous_commit`,
      concurrency: CONCURRENCY,
      durationS: elapsedS,
      requests: measured,
      statuses,
      paymentsPerSecond: perSecond,
      latencyMs: {
        p50: histogram.getValueAtPercentile(50) / 1000,
        p90: histogram.getValueAtPercentile(90) / 1000,
        p99: histogram.getValueAtPercentile(99) / 1000,
        max: histogram.maxValue / 1000,
      },
      targets: {
        'payments/s single region >= 1000': {
          target: `>= ${TARGET_PER_S}`,
          value: perSecond,
          met: perSecond >= TARGET_PER_S,
        },
      },
    };
    histogram.destroy();
    return result;
  } finally {
    if (apiProcess !== undefined && apiProcess.exitCode === null) {
      const exited = once(apiProcess, 'exit');
      apiProcess.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      if (code !== 0) process.stderr.write(`payments API exited with ${code} after SIGTERM\n`);
    }
    await postgres.stop();
  }
}

async function listeningUrl(child: ReturnType<typeof spawn>): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  const timer = setTimeout(() => child.kill('SIGTERM'), 15_000);
  try {
    for await (const line of lines) {
      const record = JSON.parse(line) as { msg?: string; url?: string };
      if (record.msg === 'listening' && record.url !== undefined) {
        // keep draining the API's log so its stdout never blocks
        lines.on('line', () => undefined);
        return record.url;
      }
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`payments API exited before listening (exit ${child.exitCode})`);
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/readyz`).catch(() => null);
    if (res?.status === 200) return;
    await res?.body?.cancel();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('payments API did not become ready within 15 s');
}

/**
 * Test helpers for the payments API: one real embedded PostgreSQL per test file (port found by binding
 * port 0, retried on collision), a fresh database per test with control.sql + ledger.sql applied and
 * the control row inserted as the controller would, and in-process APIs.
 */
import pg from 'pg';
import { request } from 'undici';
import { readStackSql } from '../../../stack/db/sql-file.js';
import { applyLedgerSchema } from '../../../stack/db/ledger-schema.js';
import { CONTROL_ROW_SQL, startSinglePostgres } from '../../../stack/db/single-postgres.js';
import { startApi, type StartedApi } from '../../../stack/api/server.js';
import type { ApiConfigInput } from '../../../stack/api/config.js';
import type { ExportLine } from '../../../src/contract/ledger-export.js';

export interface TestPostgres {
  port: number;
  url(database: string): string;
  /** A fresh database with the control row (epoch 1, lease 1 h) and a funded ledger. */
  createLedger(options?: {
    accounts?: number;
    funding?: number;
    bugs?: string[];
    region?: string;
  }): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const single = await startSinglePostgres();
  const { port } = single;
  let n = 0;
  return {
    port,
    url: (database: string) => single.url(database),
    async createLedger(options = {}) {
      const dbUrl = await single.createDatabase(`ledger_${++n}`);
      const client = new pg.Client({ connectionString: dbUrl });
      await client.connect();
      try {
        await client.query(readStackSql('control.sql'));
        await client.query(CONTROL_ROW_SQL, [1, options.region ?? 'us-east']);
        await applyLedgerSchema(
          client,
          { count: options.accounts ?? 10, funding: options.funding ?? 10_000, currency: 'EUR' },
          { bugs: options.bugs ?? [] },
        );
      } finally {
        await client.end();
      }
      return dbUrl;
    },
    stop: () => single.stop(),
  };
}

/** Start an API on port 0 against one database acting as the primary of region `us-east`. */
export async function startTestApi(dbUrl: string, extra: Partial<ApiConfigInput> = {}): Promise<StartedApi> {
  const api = await startApi(
    {
      runId: 'test',
      region: 'us-east',
      host: '127.0.0.1',
      port: 0,
      localDb: dbUrl,
      dbs: { 'us-east': dbUrl },
      bugs: [],
      discoveryIntervalMs: 50,
      ...extra,
    },
    { writeLog: () => undefined },
  );
  try {
    await waitFor(async () => (await get(api.url, '/readyz')).status === 200, 10_000, 'API ready');
  } catch (error) {
    await api.close();
    throw error;
  }
  return api;
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function get(base: string, path: string): Promise<HttpResult> {
  const res = await request(`${base}${path}`);
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: safeJson(text) };
}

export async function pay(base: string, key: string | undefined, body: unknown): Promise<HttpResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers['idempotency-key'] = key;
  const res = await request(`${base}/v1/payments`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: safeJson(text) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function exportLedger(base: string): Promise<ExportLine[]> {
  const res = await get(base, '/v1/ledger/export');
  if (res.status !== 200) throw new Error(`export failed: ${res.status} ${res.text}`);
  return res.text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ExportLine);
}

/** Count ledger transactions per idempotency key, straight from the database. */
export async function transactionsPerKey(dbUrl: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ key: string; n: string }>(
      'SELECT idempotency_key AS key, count(*) AS n FROM transactions WHERE idempotency_key IS NOT NULL GROUP BY 1',
    );
    return new Map(rows.map((r) => [r.key, Number(r.n)]));
  } finally {
    await client.end();
  }
}

export async function sql<T extends pg.QueryResultRow>(
  dbUrl: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** node-postgres pools of the payments API and the classification of their errors. */
import pg from 'pg';
import type { Logger } from '../shared/log.js';

export interface PoolOptions {
  max: number;
  statementTimeoutMs: number;
  name: string;
}

export function createPool(url: string, options: PoolOptions, log: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max,
    application_name: options.name,
    // fail fast when a link is cut or blackholed, so the client gets a 503 instead of hanging
    connectionTimeoutMillis: Math.min(options.statementTimeoutMs, 1000),
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 500,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  // an idle client whose connection dies emits here; without a listener the process would crash
  pool.on('error', (error) =>
    log.warn('idle database connection failed', { pool: options.name, error: error.message }),
  );
  return pool;
}

export type DbFailure = 'unavailable' | 'fenced' | 'conflict' | 'bug';

/** What a failed write means for the client: 503 (unavailable/fenced), 409 (conflict), 500 (bug). */
export function classifyDbError(error: unknown): DbFailure {
  const code = (error as { code?: unknown }).code;
  if (code === '25006') return 'fenced'; // standby, fenced, expired lease (chaosbank_assert_writable)
  if (code === '23505' || code === '40001' || code === '40P01') return 'conflict';
  if (typeof code === 'string') {
    if (code.startsWith('08') || code.startsWith('57') || code.startsWith('53')) return 'unavailable';
    if (/^E[A-Z]+$/.test(code)) return 'unavailable'; // ECONNREFUSED, ECONNRESET, ETIMEDOUT...
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/timeout|terminated|Connection|ECONN|socket|closed|not queryable/i.test(message)) return 'unavailable';
  return 'bug';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

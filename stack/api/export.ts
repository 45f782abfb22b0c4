/**
 * `GET /v1/ledger/export`: the ledger of THIS region's database as NDJSON (src/checks/ledger-export.ts),
 * read through server-side cursors in batches from one REPEATABLE READ snapshot (works on a standby),
 * so balances and entries agree and memory stays flat however large the ledger is.
 */
import type { ServerResponse } from 'node:http';
import type pg from 'pg';
import type { ExportEnd } from '../../src/checks/ledger-export.js';

const BATCH = 2000;

const ACCOUNT_LINES = `
  SELECT CASE WHEN system
    THEN json_build_object('type', 'account', 'id', id, 'currency', currency, 'balance', balance, 'system', true)
    ELSE json_build_object('type', 'account', 'id', id, 'currency', currency, 'balance', balance) END::text AS line
  FROM accounts ORDER BY id`;

const TRANSACTION_LINES = `
  SELECT json_build_object(
    'type', 'transaction', 'id', t.id, 'idempotency_key', t.idempotency_key,
    'created_at', chaosbank_iso(t.created_at),
    'entries', coalesce((SELECT json_agg(json_build_object('account', e.account, 'amount', e.amount,
                                                         'currency', e.currency) ORDER BY e.seq)
                         FROM entries e WHERE e.transaction_id = t.id), '[]'::json))::text AS line
  FROM transactions t ORDER BY t.seq`;

const ROLE = `
  SELECT pg_is_in_recovery() AS recovery,
         (SELECT epoch FROM chaosbank_control WHERE id = 1) AS epoch,
         coalesce((SELECT fenced FROM chaosbank_control WHERE id = 1), false) AS fenced`;

export async function streamLedgerExport(pool: pg.Pool, region: string, res: ServerResponse): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // a checked-out client has no pool listener: a dying connection must not crash the process
  const onError = (error: Error) => (broken = error);
  client.on('error', onError);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // the export of a large ledger may take longer than a payment is allowed to
    await client.query('SET LOCAL statement_timeout = 0');
    const role = (await client.query<{ recovery: boolean; epoch: string | null; fenced: boolean }>(ROLE))
      .rows[0]!;
    await client.query(`DECLARE export_accounts NO SCROLL CURSOR FOR ${ACCOUNT_LINES}`);
    await client.query(`DECLARE export_transactions NO SCROLL CURSOR FOR ${TRANSACTION_LINES}`);
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    let accounts = 0;
    for (;;) {
      const { rows } = await client.query<{ line: string }>(`FETCH ${BATCH} FROM export_accounts`);
      if (rows.length === 0) break;
      accounts += rows.length;
      await write(res, rows.map((r) => r.line).join('\n') + '\n');
    }
    let transactions = 0;
    for (;;) {
      const { rows } = await client.query<{ line: string }>(`FETCH ${BATCH} FROM export_transactions`);
      if (rows.length === 0) break;
      transactions += rows.length;
      await write(res, rows.map((r) => r.line).join('\n') + '\n');
    }
    await client.query('COMMIT');
    const end: ExportEnd = {
      type: 'end',
      accounts,
      transactions,
      region,
      role: role.recovery ? 'standby' : role.fenced ? 'fenced' : 'primary',
      epoch: role.epoch === null ? 0 : Number(role.epoch),
    };
    res.end(`${JSON.stringify(end)}\n`);
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

function write(res: ServerResponse, chunk: string): Promise<void> {
  if (res.destroyed) return Promise.reject(new Error('client went away during the export'));
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      res.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      res.off('drain', onDrain);
      reject(new Error('client went away during the export'));
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

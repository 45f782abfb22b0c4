/**
 * `GET /v1/ledger/export`: the ledger of THIS region's database as NDJSON (src/checks/ledger-export.ts),
 * read through server-side cursors in batches from one REPEATABLE READ snapshot (works on a standby),
 * so balances and entries agree and memory stays flat however large the ledger is.
 */
import type { ServerResponse } from 'node:http';
import type pg from 'pg';
import type { ExportEnd } from '../../src/contract/ledger-export.js';

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

/**
 * This database's role, truthfully: `standby` in recovery; `primary` only when its own control row names
 * this region, unfenced, with a lease that still holds (the controller renews it every heartbeat);
 * anything else out of recovery is `fenced` — an old primary, or a standby promoted half-way (its control
 * row still names the old primary) — because it cannot acknowledge a write.
 */
const ROLE = `
  SELECT CASE
           WHEN pg_is_in_recovery() THEN 'standby'
           WHEN c.id IS NULL OR c.fenced OR c.region <> $1 OR c.lease_until < clock_timestamp() THEN 'fenced'
           ELSE 'primary'
         END AS role,
         c.epoch::text AS epoch
  FROM (SELECT 1) AS one LEFT JOIN chaosbank_control c ON c.id = 1`;

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
    const role = (await client.query<{ role: ExportEnd['role']; epoch: string | null }>(ROLE, [region]))
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
      role: role.role,
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

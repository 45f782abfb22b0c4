/**
 * Apply the ledger schema (stack/db/ledger.sql) on the primary and seed the accounts: `acc-0001`..
 * `acc-NNNN`, the system account `@funding`, and ONE funding transaction (idempotency_key NULL) that
 * debits `@funding` and credits each account. Safe to call twice: seeding happens only once.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { AccountsSpec } from '../../src/contract/topology.js';
import { FUNDING_ACCOUNT } from '../../src/contract/ledger-export.js';
import { InputError } from '../../src/contract/errors.js';
import { readStackSql } from './sql-file.js';

export const FUNDING_TRANSACTION = 'txn-funding';
export const OVERDRAFT_CONSTRAINT = 'accounts_no_overdraft';

export interface LedgerSchemaOptions {
  /** SEEDED_BUGS of the run: with `no-overdraft-check` the no-overdraft CHECK is not created. */
  bugs?: readonly string[];
}

/**
 * What the schema and its seed are built from, as one hash: ledger.sql, the code of this module (the
 * seed logic lives in code, not only in ledger.sql), the accounts to seed and the seeded bugs (all of
 * them, so a bug that changes the schema never reuses a template made without it). A driver keys
 * PostgreSQL template data directories with it.
 */
export function ledgerSchemaKey(accounts: AccountsSpec, bugs: readonly string[]): string {
  const hash = createHash('sha256');
  hash.update(readStackSql('ledger.sql')).update('\0');
  // this module as it runs: the compiled file (dist) or its source (tests)
  hash.update(readFileSync(fileURLToPath(import.meta.url), 'utf8')).update('\0');
  hash.update(JSON.stringify({ accounts, bugs: [...bugs].sort() }));
  return hash.digest('hex');
}

export function accountId(index: number, count: number): string {
  return `acc-${String(index).padStart(Math.max(4, String(count).length), '0')}`;
}

export async function applyLedgerSchema(
  client: pg.ClientBase,
  accounts: AccountsSpec,
  options: LedgerSchemaOptions = {},
): Promise<void> {
  if (!Number.isSafeInteger(accounts.count) || accounts.count < 1)
    throw new InputError(
      'LEDGER_ACCOUNTS',
      `accounts.count must be a positive integer, got ${accounts.count}`,
    );
  if (!Number.isSafeInteger(accounts.funding) || accounts.funding < 0)
    throw new InputError(
      'LEDGER_FUNDING',
      `accounts.funding must be a non-negative integer, got ${accounts.funding}`,
    );
  await client.query('BEGIN');
  try {
    await client.query(readStackSql('ledger.sql'));
    if (!(options.bugs ?? []).includes('no-overdraft-check')) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_constraint WHERE conname = $1', [
        OVERDRAFT_CONSTRAINT,
      ]);
      if (rowCount === 0)
        await client.query(
          `ALTER TABLE accounts ADD CONSTRAINT ${OVERDRAFT_CONSTRAINT} CHECK (system OR balance >= 0)`,
        );
    }
    const seeded = await client.query('SELECT 1 FROM transactions WHERE id = $1', [FUNDING_TRANSACTION]);
    if (seeded.rowCount === 0) await seed(client, accounts);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

async function seed(client: pg.ClientBase, { count, funding, currency }: AccountsSpec): Promise<void> {
  const width = Math.max(4, String(count).length);
  const total = BigInt(count) * BigInt(funding);
  await client.query(
    `INSERT INTO accounts (id, currency, balance, system)
     SELECT 'acc-' || lpad(i::text, $2, '0'), $3, $4, false FROM generate_series(1, $1::int) AS i`,
    [count, width, currency, funding],
  );
  await client.query('INSERT INTO accounts (id, currency, balance, system) VALUES ($1, $2, $3, true)', [
    FUNDING_ACCOUNT,
    currency,
    (-total).toString(),
  ]);
  await client.query(
    `INSERT INTO transactions (id, idempotency_key, currency, created_at) VALUES ($1, NULL, $2, clock_timestamp())`,
    [FUNDING_TRANSACTION, currency],
  );
  await client.query(
    'INSERT INTO entries (transaction_id, account, amount, currency) VALUES ($1, $2, $3, $4)',
    [FUNDING_TRANSACTION, FUNDING_ACCOUNT, (-total).toString(), currency],
  );
  await client.query(
    `INSERT INTO entries (transaction_id, account, amount, currency)
     SELECT $1, 'acc-' || lpad(i::text, $3, '0'), $4, $5 FROM generate_series(1, $2::int) AS i ORDER BY i`,
    [FUNDING_TRANSACTION, count, width, funding, currency],
  );
}

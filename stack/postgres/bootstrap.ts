/**
 * Bring up the replicated database tier of the reference stack: one primary and a streaming standby per
 * other region. Fast path: one data directory with the control and ledger schemas (initdb + schema +
 * clean stop, or a copy of a cached template of exactly that), copied for every standby; then all servers
 * start in parallel, the control row gets its fresh lease, and we wait until every standby streams it.
 */
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { EnvironmentError, InputError } from '../../src/contract/errors.js';
import type { Replication } from '../../src/contract/topology.js';
import { connString, replicationConninfo, withClient, type Address } from './conn.js';
import {
  clusterSettings,
  connectionSettings,
  LOOPBACK_NETWORKS,
  synchronousStandbyNames,
  writeAutoConf,
  writeHba,
} from './config.js';
import { insertControlRow, readControlSql } from './control-schema.js';
import { copyDataDirFast } from './copy.js';
import { initPrimary } from './init.js';
import { ensureTraversable } from './os-user.js';
import { startPostgres, type PostgresProcess } from './process.js';
import { configureStandby } from './standby.js';
import { findTemplate, saveTemplate, templateKey, type TemplateCache } from './template.js';
import { waitFor } from './wait.js';

export interface ClusterRegionOptions {
  /** Where this region's server listens (and where bootstrap connects to it). */
  address: Address;
}

export interface BootstrapOptions {
  runId: string;
  /** All regions; the first role is decided by `primary`. */
  regions: string[];
  primary: string;
  replication: Replication;
  /** Data directories go to `<baseDir>/<region>/data`, logs to `<baseDir>/<region>/postgres.log`. */
  baseDir: string;
  /** Listen address per region. */
  addresses: Record<string, Address>;
  /**
   * The address of `primaryRegion`'s database as `standbyRegion` reaches it for replication (the local
   * driver points it at the `repl@S->db@P` proxy). Default: the primary's own listen address.
   */
  replicationAddress?: (standbyRegion: string, primaryRegion: string) => Address;
  /** Initial lease of the primary, ms (the controller renews it from then on). */
  leaseMs: number;
  /** Create the ledger schema and accounts on the primary before the copy (e.g. applyLedgerSchema). */
  applySchema?: (client: pg.Client) => Promise<void>;
  /** Networks allowed to connect (default loopback). */
  allowFrom?: string[];
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Keep the schema'd data directory as a template in `cacheDir` and copy it on later bootstraps instead
   * of running initdb and the schema again. `schemaKey` must change whenever `applySchema` would create
   * something else. Without it, every bootstrap runs initdb.
   */
  template?: TemplateCache;
  /** Progress lines with elapsed milliseconds ("postgres: initdb (+412 ms)"), for timing the phases. */
  log?: (message: string) => void;
  /** Start every server in a session of its own (see StartOptions.ownSession). */
  ownSession?: boolean;
}

export interface ClusterNode {
  region: string;
  dataDir: string;
  logFile: string;
  address: Address;
  /** SQL connection string (to the listen address). */
  conn: string;
  process: PostgresProcess;
}

export interface Cluster extends AsyncDisposable {
  primary: string;
  replication: Replication;
  nodes: Record<string, ClusterNode>;
  /** Stop every server (fast shutdown; kill -9 after a timeout). Idempotent. */
  stop(): Promise<void>;
}

function validate(options: BootstrapOptions): void {
  if (options.regions.length === 0)
    throw new InputError('CLUSTER_NO_REGIONS', 'a cluster needs at least one region');
  if (new Set(options.regions).size !== options.regions.length) {
    throw new InputError(
      'CLUSTER_DUPLICATE_REGION',
      `region names must be unique: ${options.regions.join(', ')}`,
    );
  }
  if (!options.regions.includes(options.primary)) {
    throw new InputError(
      'CLUSTER_UNKNOWN_PRIMARY',
      `primary "${options.primary}" is not one of the regions ${options.regions.join(', ')}`,
    );
  }
  for (const region of options.regions) {
    if (!options.addresses[region])
      throw new InputError('CLUSTER_NO_ADDRESS', `no database address for region "${region}"`);
  }
}

/** Wait until every named standby streams from the primary (and, in sync mode, counts for the quorum). */
export async function waitForStreaming(
  primaryConn: string,
  standbys: string[],
  options: {
    replication: Replication;
    timeoutMs: number;
    signal?: AbortSignal;
    /** Also wait until each standby has replayed the primary's WAL up to this LSN (e.g. '0/3000148'). */
    replayedLsn?: string;
  },
): Promise<void> {
  if (standbys.length === 0) return;
  await waitFor(
    () =>
      withClient(
        primaryConn,
        async (client) => {
          const { rows } = await client.query<{
            application_name: string;
            state: string;
            sync_state: string;
            replayed: boolean;
          }>(
            `SELECT application_name, state, sync_state,
                    coalesce(replay_lsn >= $1::pg_lsn, false) AS replayed
               FROM pg_stat_replication`,
            [options.replayedLsn ?? '0/0'],
          );
          const ready = standbys.every((name) =>
            rows.some(
              (row) =>
                row.application_name === name &&
                row.state === 'streaming' &&
                row.replayed &&
                (options.replication === 'async' || row.sync_state === 'quorum' || row.sync_state === 'sync'),
            ),
          );
          return ready ? true : undefined;
        },
        { timeoutMs: 2_000 },
      ),
    {
      timeoutMs: options.timeoutMs,
      intervalMs: 25,
      what: `standbys ${standbys.join(', ')} to stream`,
      signal: options.signal,
    },
  );
}

/** Make `dataDir` a copy of `source` (the parent is created; `dataDir` must be absent or empty). */
async function copyInto(source: string, dataDir: string): Promise<void> {
  await mkdir(path.dirname(dataDir), { recursive: true });
  await ensureTraversable(path.dirname(dataDir));
  const existing = await readdir(dataDir).catch(() => [] as string[]);
  if (existing.length > 0)
    throw new EnvironmentError(
      'POSTGRES_DATADIR_IN_USE',
      `${dataDir} already holds a PostgreSQL data directory`,
      { details: ['Use a fresh directory per run (the run directory of the driver).'] },
    );
  await copyDataDirFast(source, dataDir);
}

export async function bootstrapCluster(options: BootstrapOptions): Promise<Cluster> {
  validate(options);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const standbys = options.regions.filter((region) => region !== options.primary);
  const dirOf = (region: string) => path.join(options.baseDir, region);
  const dataDirOf = (region: string) => path.join(dirOf(region), 'data');
  const addressOf = (region: string): Address => options.addresses[region] as Address;
  const replicationAddress =
    options.replicationAddress ?? ((_standby: string, primary: string) => addressOf(primary));
  const t0 = Date.now();
  const phase = (what: string) => options.log?.(`postgres: ${what} (+${Date.now() - t0} ms)`);
  const started: PostgresProcess[] = [];
  const stopAll = async () => {
    await Promise.all(
      started.splice(0).map(async (proc) => {
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        try {
          await proc.stop('fast');
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  };
  try {
    const primaryDir = dataDirOf(options.primary);
    const cache = options.template;
    const key = cache ? await templateKey(cache.schemaKey, await readControlSql()) : undefined;
    const template = cache && key ? await findTemplate(cache.cacheDir, key) : undefined;
    let saving: Promise<void> | undefined;
    if (template) {
      // Warm: every node (the primary too: the template stays untouched) is a copy of the template.
      await Promise.all(options.regions.map((region) => copyInto(template, dataDirOf(region))));
      phase(`copied template ${key}`);
    } else {
      // Cold: initdb and the schemas in the primary's own data directory (recorded by the driver, so a
      // crash here leaves nothing it cannot reap), then copies for the standbys (and the cache).
      await buildSchemaDir(primaryDir, options, {
        timeoutMs,
        register: (proc) => started.push(proc),
        unregister: (proc) => started.splice(started.indexOf(proc), 1),
        phase,
      });
      if (cache && key) saving = saveTemplate(cache.cacheDir, key, primaryDir);
      await Promise.all([
        ...standbys.map((region) => copyInto(primaryDir, dataDirOf(region))),
        // A failed save costs the next bootstrap its shortcut, never this one its cluster.
        saving?.catch((error: unknown) => phase(`template not saved: ${(error as Error).message}`)),
      ]);
      phase(`copied the primary for the standbys${saving ? ' and saved the template' : ''}`);
    }

    // Per-node settings: the template carries none of them.
    await Promise.all(
      options.regions.map(async (region) => {
        const dataDir = dataDirOf(region);
        const address = addressOf(region);
        await writeHba(dataDir, options.allowFrom ?? LOOPBACK_NETWORKS);
        if (region === options.primary) {
          await writeAutoConf(dataDir, {
            ...clusterSettings(options.replication),
            ...connectionSettings({ host: address.host, port: address.port, name: region }),
            synchronous_standby_names:
              options.replication === 'sync' ? synchronousStandbyNames(standbys) : '',
          });
          return;
        }
        await configureStandby({
          dataDir,
          name: region,
          host: address.host,
          port: address.port,
          replication: options.replication,
          primaryConninfo: replicationConninfo(replicationAddress(region, options.primary), region),
        });
      }),
    );

    const nodes: Record<string, ClusterNode> = {};
    // allSettled: on a failure, every server that did start is in `started` before we stop them all.
    const starts = await Promise.allSettled(
      options.regions.map(async (region) => {
        const dataDir = dataDirOf(region);
        const logFile = path.join(dirOf(region), 'postgres.log');
        const proc = await startPostgres({
          dataDir,
          address: addressOf(region),
          logFile,
          timeoutMs,
          signal: options.signal,
          ownSession: options.ownSession,
        });
        started.push(proc);
        nodes[region] = {
          region,
          dataDir,
          logFile,
          address: addressOf(region),
          conn: connString(addressOf(region)),
          process: proc,
        };
      }),
    );
    const failed = starts.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    phase('servers accepting connections');
    // The lease starts now, not when the schema (or the template) was made.
    const controlLsn = await withClient(
      connString(addressOf(options.primary)),
      (client) => insertControlRow(client, { region: options.primary, leaseMs: options.leaseMs }),
      { timeoutMs },
    );
    await waitForStreaming(connString(addressOf(options.primary)), standbys, {
      replication: options.replication,
      timeoutMs,
      signal: options.signal,
      replayedLsn: controlLsn,
    });
    phase('standbys streaming');
    const all = [...started];
    const stop = async () => {
      await Promise.all(
        all.map(async (proc) => {
          const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
          try {
            await proc.stop('fast');
          } finally {
            clearTimeout(timer);
          }
        }),
      );
    };
    return {
      primary: options.primary,
      replication: options.replication,
      nodes,
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    if (error instanceof EnvironmentError || error instanceof InputError) throw error;
    throw new EnvironmentError(
      'CLUSTER_BOOTSTRAP',
      `could not bootstrap the database cluster in ${options.baseDir}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * initdb in `dataDir`, start it on the primary's address, apply control.sql (no control row: that gets
 * its lease at start-up) and the caller's schema, checkpoint, stop cleanly. The result is what a
 * template holds.
 */
async function buildSchemaDir(
  dataDir: string,
  options: BootstrapOptions,
  hooks: {
    timeoutMs: number;
    register: (proc: PostgresProcess) => void;
    unregister: (proc: PostgresProcess) => void;
    phase: (what: string) => void;
  },
): Promise<void> {
  const address = options.addresses[options.primary] as Address;
  await initPrimary({
    dataDir,
    host: address.host,
    port: address.port,
    name: options.primary,
    // async: applying the schema must not wait for standbys that do not exist yet.
    replication: 'async',
    standbyNames: [],
    allowFrom: options.allowFrom,
  });
  hooks.phase('initdb');
  const server = await startPostgres({
    dataDir,
    address,
    logFile: path.join(path.dirname(dataDir), 'postgres.log'),
    timeoutMs: hooks.timeoutMs,
    signal: options.signal,
    ownSession: options.ownSession,
  });
  hooks.register(server);
  await withClient(
    connString(address),
    async (client) => {
      await client.query(await readControlSql());
      if (options.applySchema) await options.applySchema(client);
      await client.query('CHECKPOINT');
    },
    { timeoutMs: hooks.timeoutMs },
  );
  hooks.unregister(server);
  await server.stop('fast');
  hooks.phase('schema applied');
}

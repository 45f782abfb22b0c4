/**
 * Bring up the replicated database tier of the reference stack: one primary and a streaming standby per
 * other region. Fast path: initdb once, apply the control and ledger schemas, stop cleanly, copy the data
 * directory for every standby, then start all servers in parallel and wait until every standby streams.
 */
import path from 'node:path';
import type pg from 'pg';
import { EnvironmentError, InputError } from '../../src/errors.js';
import type { Replication } from '../../src/topology/topology.js';
import { connString, replicationConninfo, withClient, type Address } from './conn.js';
import { synchronousStandbyNames, writeAutoConf } from './config.js';
import { applyControlSchema } from './control-schema.js';
import { copyDataDir } from './copy.js';
import { initPrimary, prepareDataDir } from './init.js';
import { startPostgres, type PostgresProcess } from './process.js';
import { configureStandby } from './standby.js';
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
  options: { replication: Replication; timeoutMs: number; signal?: AbortSignal },
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
          }>('SELECT application_name, state, sync_state FROM pg_stat_replication');
          const ready = standbys.every((name) =>
            rows.some(
              (row) =>
                row.application_name === name &&
                row.state === 'streaming' &&
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

export async function bootstrapCluster(options: BootstrapOptions): Promise<Cluster> {
  validate(options);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const standbys = options.regions.filter((region) => region !== options.primary);
  const dirOf = (region: string) => path.join(options.baseDir, region);
  const addressOf = (region: string): Address => options.addresses[region] as Address;
  const replicationAddress =
    options.replicationAddress ?? ((_standby: string, primary: string) => addressOf(primary));
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
    const primaryDir = path.join(dirOf(options.primary), 'data');
    await initPrimary({
      dataDir: primaryDir,
      host: addressOf(options.primary).host,
      port: addressOf(options.primary).port,
      name: options.primary,
      replication: options.replication,
      // Set after the copy: applying the schema must not wait for standbys that do not exist yet.
      standbyNames: [],
      allowFrom: options.allowFrom,
    });
    const first = await startPostgres({
      dataDir: primaryDir,
      address: addressOf(options.primary),
      logFile: path.join(dirOf(options.primary), 'postgres.log'),
      timeoutMs,
      signal: options.signal,
    });
    started.push(first);
    await withClient(
      connString(addressOf(options.primary)),
      async (client) => {
        await applyControlSchema(client, { region: options.primary, leaseMs: options.leaseMs });
        if (options.applySchema) await options.applySchema(client);
        await client.query('CHECKPOINT');
      },
      { timeoutMs },
    );
    await started.splice(started.indexOf(first), 1)[0]?.stop('fast');

    await Promise.all(
      standbys.map(async (region) => {
        const dataDir = path.join(dirOf(region), 'data');
        await prepareDataDir(dataDir);
        await copyDataDir(primaryDir, dataDir, { online: false });
        await configureStandby({
          dataDir,
          name: region,
          host: addressOf(region).host,
          port: addressOf(region).port,
          replication: options.replication,
          primaryConninfo: replicationConninfo(replicationAddress(region, options.primary), region),
        });
      }),
    );
    if (options.replication === 'sync') {
      await writeAutoConf(primaryDir, { synchronous_standby_names: synchronousStandbyNames(standbys) });
    }

    const nodes: Record<string, ClusterNode> = {};
    // allSettled: on a failure, every server that did start is in `started` before we stop them all.
    const starts = await Promise.allSettled(
      options.regions.map(async (region) => {
        const dataDir = path.join(dirOf(region), 'data');
        const logFile = path.join(dirOf(region), 'postgres.log');
        const proc = await startPostgres({
          dataDir,
          address: addressOf(region),
          logFile,
          timeoutMs,
          signal: options.signal,
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
    await waitForStreaming(connString(addressOf(options.primary)), standbys, {
      replication: options.replication,
      timeoutMs,
      signal: options.signal,
    });
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

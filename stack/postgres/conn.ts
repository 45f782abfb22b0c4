/** Connection strings and short-lived clients for the cluster's databases. */
import pg from 'pg';

export const DB_USER = 'postgres';
export const DB_NAME = 'postgres';

export interface Address {
  host: string;
  port: number;
}

/** `postgresql://postgres@host:port/postgres` (IPv6 hosts bracketed). */
export function connString(address: Address, options: { applicationName?: string } = {}): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  const query = options.applicationName
    ? `?application_name=${encodeURIComponent(options.applicationName)}`
    : '';
  return `postgresql://${DB_USER}@${host}:${address.port}/${DB_NAME}${query}`;
}

/**
 * libpq keyword/value conninfo for `primary_conninfo` (what a standby uses to reach its primary).
 * application_name is the standby's region: it is its name in pg_stat_replication and in
 * synchronous_standby_names.
 */
export function replicationConninfo(address: Address, applicationName: string): string {
  return `host=${address.host} port=${address.port} user=${DB_USER} application_name=${applicationName} connect_timeout=2`;
}

export interface ClientOptions {
  /** Connect timeout and client-side query timeout, ms. */
  timeoutMs?: number;
}

/** Open a client, run `fn`, always close it. */
export async function withClient<T>(
  connectionString: string,
  fn: (client: pg.Client) => Promise<T>,
  options: ClientOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const client = new pg.Client({
    connectionString,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  // An error on an idle client (server gone) must not crash the process; the next query reports it.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

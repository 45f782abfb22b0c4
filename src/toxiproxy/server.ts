/**
 * The embedded Toxiproxy-compatible server: the Toxiproxy HTTP API plus the TCP proxies it manages.
 *
 *   await using toxiproxy = await startToxiproxyServer({ port: 0 });
 *   const client = new Toxiproxy(toxiproxy.url); // toxiproxy-node-client
 */
import http from 'node:http';
import { EnvironmentError, InputError } from '../contract/errors.js';
import { ProxyCollection, decodePopulate, type ProxyConfig } from './collection.js';
import { createApiHandler } from './http-api.js';
import { formatAddress } from './address.js';
import { BusyPoll } from './busy-poll.js';

export type { ProxyConfig } from './collection.js';

export interface ToxiproxyServerOptions {
  /** API host, default 127.0.0.1. */
  host?: string;
  /** API port, default 8474; 0 lets the OS pick. */
  port?: number;
  /** Proxies created at start, exactly like POST /populate. */
  config?: ProxyConfig[];
  /** Structured log records (proxy created, toxic added, client connected, ...). */
  logger?: (record: object) => void;
  /**
   * Keep the event loop spinning for this many µs after forwarding data instead of sleeping, while
   * the machine has a core to spare: lower added latency, for the price of up to a core while traffic
   * flows. Default 0 = off (the standalone CLI turns it on: DEFAULT_BUSY_POLL_US). See busy-poll.ts.
   */
  busyPollMicros?: number;
}

export interface ToxiproxyServerStats {
  proxies: number;
  /** Open proxied client connections across all proxies. */
  connections: number;
}

export interface RunningToxiproxyServer extends AsyncDisposable {
  /** http://host:port */
  url: string;
  host: string;
  port: number;
  /** Closes the API, every proxy listener and every connection. */
  close(): Promise<void>;
  /** Bookkeeping counts (added for tests and status output). */
  stats(): ToxiproxyServerStats;
}

export async function startToxiproxyServer(
  options: ToxiproxyServerOptions = {},
): Promise<RunningToxiproxyServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8474;
  const logger = options.logger;
  const log = (record: Record<string, unknown>): void => {
    if (logger) logger({ time: new Date().toISOString(), ...record });
  };
  const busyPollMicros = options.busyPollMicros ?? 0;
  const busyPoll = busyPollMicros > 0 ? new BusyPoll(busyPollMicros) : undefined;
  const proxies = new ProxyCollection(log, busyPoll);

  if (options.config) {
    try {
      decodePopulate(options.config);
    } catch (error) {
      throw new InputError(
        'TOXIPROXY_CONFIG_INVALID',
        `invalid Toxiproxy config: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const result = await proxies.populate(options.config);
    if (result.error) {
      proxies.closeAll();
      busyPoll?.stop();
      throw new EnvironmentError(
        'TOXIPROXY_LISTEN_FAILED',
        `could not start the configured proxies: ${result.error.message}`,
        {
          cause: result.error,
        },
      );
    }
  }

  const server = http.createServer({ keepAlive: true }, createApiHandler(proxies, { log }));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    proxies.closeAll();
    busyPoll?.stop();
    const code = (error as NodeJS.ErrnoException).code;
    throw new EnvironmentError(
      'TOXIPROXY_LISTEN_FAILED',
      `cannot listen on ${formatAddress(host, port)} for the Toxiproxy API: ${code === 'EADDRINUSE' ? 'address already in use' : (error as Error).message}`,
      { cause: error, details: ['Pick another --port (0 lets the OS choose) or stop whatever uses it.'] },
    );
  }
  const bound = server.address() as import('node:net').AddressInfo;
  const url = `http://${formatAddress(bound.address, bound.port)}`;
  log({ event: 'api_listening', url });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((resolve) => {
      proxies.closeAll();
      busyPoll?.stop();
      server.close(() => resolve());
      server.closeAllConnections();
      log({ event: 'api_closed', url });
    }));

  return {
    url,
    host: bound.address,
    port: bound.port,
    close,
    stats: () => ({ proxies: proxies.all().length, connections: proxies.connectionCount() }),
    [Symbol.asyncDispose]: close,
  };
}

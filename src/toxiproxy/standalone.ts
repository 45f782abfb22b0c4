/**
 * `chaosbank toxiproxy`: the server standalone until SIGINT/SIGTERM, with structured logs.
 * Resolves to the exit code: 0 after a graceful shutdown (SIGINT and SIGTERM alike).
 */
import { once } from 'node:events';
import { loadProxyConfigFile } from './config-file.js';
import { DEFAULT_BUSY_POLL_US } from './busy-poll.js';
import { startToxiproxyServer } from './server.js';

export interface StandaloneOptions {
  host: string;
  port: number;
  configFile?: string | undefined;
  /** JSON lines on stdout; otherwise `event key=value` lines on stderr. */
  jsonLogs: boolean;
  /** See ToxiproxyServerOptions.busyPollMicros; 0 = off; default DEFAULT_BUSY_POLL_US. */
  busyPollMicros?: number;
}

function readableLine(record: Record<string, unknown>): string {
  const { event, time: _time, ...rest } = record;
  const fields = Object.entries(rest).map(
    ([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
  return [String(event), ...fields].join(' ');
}

export async function runToxiproxyStandalone(options: StandaloneOptions): Promise<number> {
  const logger = (record: object): void => {
    if (options.jsonLogs) process.stdout.write(`${JSON.stringify(record)}\n`);
    else process.stderr.write(`${readableLine(record as Record<string, unknown>)}\n`);
  };
  // Listen for the signals before anything is announced, so an early Ctrl-C still shuts down cleanly.
  const stop = new AbortController();
  const stopped = Promise.race([
    once(process, 'SIGINT', { signal: stop.signal }).then(() => 'SIGINT'),
    once(process, 'SIGTERM', { signal: stop.signal }).then(() => 'SIGTERM'),
  ]);
  stopped.catch(() => undefined); // settles as aborted when startup fails below
  let server: Awaited<ReturnType<typeof startToxiproxyServer>>;
  try {
    const config =
      options.configFile === undefined ? undefined : await loadProxyConfigFile(options.configFile);
    server = await startToxiproxyServer({
      host: options.host,
      port: options.port,
      config,
      logger,
      busyPollMicros: options.busyPollMicros ?? DEFAULT_BUSY_POLL_US,
    });
  } catch (error) {
    stop.abort();
    throw error;
  }
  if (!options.jsonLogs) process.stdout.write(`Toxiproxy API listening on ${server.url}\n`);
  const signal = await stopped;
  stop.abort();
  logger({ time: new Date().toISOString(), event: 'shutdown', signal });
  await server.close();
  return 0;
}

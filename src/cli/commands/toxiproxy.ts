import type { Command } from 'commander';
import { InputError } from '../../contract/errors.js';
import { action } from '../action.js';
import { DEFAULT_BUSY_POLL_US } from '../../toxiproxy/busy-poll.js';

interface ToxiproxyFlags {
  host: string;
  port: string;
  config?: string;
  jsonLogs?: boolean;
  busyPollUs: string;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new InputError('BAD_FLAG', `--port must be an integer from 0 to 65535, got "${text}"`);
  }
  return port;
}

/** Busy polling beyond 10 ms would only burn CPU: replies that slow do not need it. */
const MAX_BUSY_POLL_US = 10_000;

function parseBusyPoll(text: string): number {
  const micros = Number(text);
  if (!/^\d+$/.test(text) || micros > MAX_BUSY_POLL_US) {
    throw new InputError(
      'BAD_FLAG',
      `--busy-poll-us must be an integer from 0 to ${MAX_BUSY_POLL_US}, got "${text}"`,
    );
  }
  return micros;
}

export function registerToxiproxy(program: Command): void {
  program
    .command('toxiproxy')
    .description('Run the embedded Toxiproxy-compatible server standalone (Ctrl-C stops it)')
    .option('--host <host>', 'API host', '127.0.0.1')
    .option('--port <port>', 'API port (0 = any free port)', '8474')
    .option('--config <file>', 'JSON array of proxies created at start, like POST /populate')
    .option('--json-logs', 'log JSON lines to stdout instead of readable lines on stderr')
    .option(
      '--busy-poll-us <µs>',
      'keep polling this long after forwarding data instead of sleeping, while the machine has a core to spare: lower latency, costs up to a core while traffic flows (0 = off)',
      String(DEFAULT_BUSY_POLL_US),
    )
    .action(
      action(async (flags: ToxiproxyFlags) => {
        const port = parsePort(flags.port);
        const busyPollMicros = parseBusyPoll(flags.busyPollUs);
        const { runToxiproxyStandalone } = await import('../../toxiproxy/standalone.js');
        return runToxiproxyStandalone({
          host: flags.host,
          port,
          configFile: flags.config,
          jsonLogs: flags.jsonLogs === true,
          busyPollMicros,
        });
      }),
    );
}

import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { action } from '../action.js';

interface ToxiproxyFlags {
  host: string;
  port: string;
  config?: string;
  jsonLogs?: boolean;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new InputError('BAD_FLAG', `--port must be an integer from 0 to 65535, got "${text}"`);
  }
  return port;
}

export function registerToxiproxy(program: Command): void {
  program
    .command('toxiproxy')
    .description('Run the embedded Toxiproxy-compatible server standalone (Ctrl-C stops it)')
    .option('--host <host>', 'API host', '127.0.0.1')
    .option('--port <port>', 'API port (0 = any free port)', '8474')
    .option('--config <file>', 'JSON array of proxies created at start, like POST /populate')
    .option('--json-logs', 'log JSON lines to stdout instead of readable lines on stderr')
    .action(
      action(async (flags: ToxiproxyFlags) => {
        const port = parsePort(flags.port);
        const { runToxiproxyStandalone } = await import('../../toxiproxy/standalone.js');
        return runToxiproxyStandalone({
          host: flags.host,
          port,
          configFile: flags.config,
          jsonLogs: flags.jsonLogs === true,
        });
      }),
    );
}

/**
 * Process entry of the regional payments API:
 *   node dist/stack/api/main.js --config <file.json>   (or the JSON in env CHAOSBANK_CONFIG)
 * Logs `listening` with {url, host, port}; SIGTERM/SIGINT close gracefully and exit 0.
 */
import { loadApiConfig } from './config.js';
import { startApi } from './server.js';
import { reportStartError } from '../shared/start-error.js';

async function main(): Promise<void> {
  const config = loadApiConfig(process.argv.slice(2), process.env);
  const api = await startApi(config);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    api.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`payments API: close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => process.exit(reportStartError('payments API', error)));

/**
 * Process entry of the regional payments API:
 *   node dist/stack/api/main.js --config <file.json>   (or the JSON in env CHAOSBANK_CONFIG)
 * Logs `listening` with {url, host, port}; SIGTERM/SIGINT close gracefully and exit 0.
 */
import { isChaosbankError } from '../../src/errors.js';
import { loadApiConfig } from './config.js';
import { startApi } from './server.js';

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

main().catch((error: unknown) => {
  if (isChaosbankError(error)) {
    process.stderr.write(`payments API: ${error.message} [${error.code}]\n`);
    for (const line of error.details) process.stderr.write(`  ${line}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(
    `payments API: cannot start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(3);
});

/**
 * The detached supervisor behind `chaosbank up`: `node dist/drivers/local/supervisor.js --spec <file>`.
 * It owns the stack (its processes are its children, the embedded Toxiproxy runs in it) and keeps it
 * running after the CLI exits, until `chaosbank down` (control API) or SIGTERM. Its output goes to
 * `<runDir>/logs/supervisor.log`.
 */
import { readFileSync } from 'node:fs';
import { hostStack, type HostSpec } from './host.js';

const flag = process.argv.indexOf('--spec');
const specFile = flag === -1 ? undefined : process.argv[flag + 1];
const log = (message: string) => process.stdout.write(`${new Date().toISOString()} ${message}\n`);

if (specFile === undefined) {
  process.stderr.write('usage: supervisor.js --spec <file.json>\n');
  process.exitCode = 2;
} else {
  const spec = JSON.parse(readFileSync(specFile, 'utf8')) as HostSpec;
  let code = 0;
  try {
    await hostStack(spec, { log });
  } catch (error) {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    code = 3;
  }
  // Everything is stopped by now; exit at once instead of waiting for idle keep-alive sockets of HTTP
  // clients to time out (`chaosbank down` waits for this process to be gone).
  process.exit(code);
}

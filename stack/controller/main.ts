/** Program: `node dist/stack/controller/main.js --config <file.json>` (or env CHAOSBANK_CONFIG). */
import { parseConfig, readConfigText } from '../router/program-config.js';
import { controllerConfigSchema } from './config.js';
import { startController } from './server.js';
import { reportStartError } from '../shared/start-error.js';

try {
  const { text, source } = readConfigText(process.argv.slice(2), process.env);
  const controller = await startController(parseConfig(controllerConfigSchema, text, source));
  const stop = () => void controller.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  process.exitCode = reportStartError('controller', error);
}

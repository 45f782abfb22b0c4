/** Program: `node dist/stack/router/main.js --config <file.json>` (or env CHAOSBANK_CONFIG). */
import { routerConfigSchema } from './config.js';
import { parseConfig, readConfigText } from './program-config.js';
import { startRouter } from './router.js';
import { reportStartError } from '../shared/start-error.js';

try {
  const { text, source } = readConfigText(process.argv.slice(2), process.env);
  const router = await startRouter(parseConfig(routerConfigSchema, text, source));
  const stop = () => void router.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  process.exitCode = reportStartError('router', error);
}

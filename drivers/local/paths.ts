/**
 * Where the built programs are: the stack's components (`dist/stack/<component>/main.js`), the
 * supervisor (`dist/drivers/local/supervisor.js`) and the watchdog (`dist/drivers/local/watchdog.js`). Works from the built driver (dist/drivers/local) and
 * from the TypeScript sources (tests), which use the built programs of the same checkout.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError } from '../../src/contract/errors.js';

const here = dirname(fileURLToPath(import.meta.url));
// here = <root>/dist/drivers/local (built) or <root>/drivers/local (sources)
// (only the folder two levels up counts: a project path may contain a `dist` folder of its own).
const builtRoot =
  basename(resolve(here, '..', '..')) === 'dist'
    ? resolve(here, '..', '..')
    : resolve(here, '..', '..', 'dist');

export const distRoot = (): string => builtRoot;

export function builtProgram(relative: string, component: string): string {
  const file = join(builtRoot, relative);
  if (!existsSync(file))
    throw new EnvironmentError('BINARY_MISSING', `cannot start ${component}: ${file} does not exist`, {
      details: ['Build chaosbank first: `npm run build`.'],
    });
  return file;
}

export const componentProgram = (kind: 'api' | 'router' | 'controller'): string =>
  builtProgram(join('stack', kind, 'main.js'), kind);

export const supervisorProgram = (): string =>
  builtProgram(join('drivers', 'local', 'supervisor.js'), 'supervisor');

export const watchdogProgram = (): string =>
  builtProgram(join('drivers', 'local', 'watchdog.js'), 'watchdog');

/** A local stack's run folder layout: per-component logs and the event log. */
export const logsDirOf = (runDir: string): string => join(runDir, 'logs');
export const eventsPathOf = (runDir: string): string => join(runDir, 'events.ndjson');

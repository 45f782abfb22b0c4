/**
 * Locate a `.sql` file of stack/db both when running from source (vitest) and from the build
 * (dist/stack/db/*.js, where tsc does not copy .sql files: they stay in the package's stack/db/).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError } from '../../src/contract/errors.js';

const here = dirname(fileURLToPath(import.meta.url));

export function readStackSql(name: string): string {
  const candidates = [join(here, name), join(here, '..', '..', '..', 'stack', 'db', name)];
  const found = candidates.find((file) => existsSync(file));
  if (found === undefined)
    throw new EnvironmentError('STACK_SQL_MISSING', `cannot find stack/db/${name}`, {
      details: [`looked in: ${candidates.join(', ')}`],
    });
  return readFileSync(found, 'utf8');
}

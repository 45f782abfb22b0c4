/**
 * The chaosbank package's version and folder (where its package.json is), found from this module:
 * `<root>/src` under vitest, `<root>/dist/src` when built, also inside someone else's node_modules.
 * Shipped files (scenarios/, runbooks/, stack/db/*.sql) are read relative to it, never to the cwd.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  root: string;
  version: string;
}

function findPackage(): PackageInfo | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++, dir = dirname(dir)) {
    try {
      const parsed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (parsed.name === 'chaosbank' && parsed.version) return { root: dir, version: parsed.version };
    } catch {
      // no package.json here: look one folder up
    }
  }
  return undefined;
}

const found = findPackage();

/** The package folder, or undefined when package.json cannot be found (a broken install). */
export const PACKAGE_ROOT: string | undefined = found?.root;
export const VERSION: string = found?.version ?? '0.0.0';

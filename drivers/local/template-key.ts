/**
 * Where the local driver keeps PostgreSQL template data directories (`$CHAOSBANK_HOME/templates`), and
 * the schema part of their key: everything `applyLedgerSchema` builds from — ledger.sql, the code of the
 * schema module itself, the accounts to seed and the seeded bugs (all of them, so a bug that changes the
 * schema can never reuse a template made without it). Clear the cache with `rm -rf ~/.chaosbank/templates`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Topology } from '../../src/topology/topology.js';
import { readStackSql } from '../../stack/db/sql-file.js';
import type { TemplateCache } from '../../stack/postgres/index.js';
import { chaosbankHome } from './registry.js';

export const templatesDir = (home = chaosbankHome()): string => join(home, 'templates');

// The compiled module (dist) or its source (tests): the seed logic lives in code, not only in ledger.sql.
function schemaModuleText(): string {
  for (const name of ['../../stack/db/ledger-schema.js', '../../stack/db/ledger-schema.ts']) {
    try {
      return readFileSync(fileURLToPath(new URL(name, import.meta.url)), 'utf8');
    } catch {
      // try the next
    }
  }
  return '';
}

export function ledgerTemplate(topology: Topology, home = chaosbankHome()): TemplateCache {
  const hash = createHash('sha256');
  hash.update(readStackSql('ledger.sql')).update('\0');
  hash.update(schemaModuleText()).update('\0');
  hash.update(JSON.stringify({ accounts: topology.accounts, bugs: [...topology.stack.bugs].sort() }));
  return { cacheDir: templatesDir(home), schemaKey: hash.digest('hex') };
}

/**
 * Where the local driver keeps PostgreSQL template data directories (`$CHAOSBANK_HOME/templates`), and
 * their schema key (the stack's own hash of what the ledger schema is built from). Clear the cache
 * with `rm -rf ~/.chaosbank/templates`.
 */
import { join } from 'node:path';
import type { Topology } from '../../src/contract/topology.js';
import { ledgerSchemaKey, type TemplateCache } from '../../stack/index.js';
import { chaosbankHome } from './registry.js';

export const templatesDir = (home = chaosbankHome()): string => join(home, 'templates');

export function ledgerTemplate(topology: Topology, home = chaosbankHome()): TemplateCache {
  return {
    cacheDir: templatesDir(home),
    schemaKey: ledgerSchemaKey(topology.accounts, topology.stack.bugs),
  };
}

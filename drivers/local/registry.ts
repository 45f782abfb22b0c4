/**
 * Registry of active stacks: `$CHAOSBANK_HOME/stacks/<runId>.json` (default `~/.chaosbank`) points at
 * each run directory, so `chaosbank down|status|fault` find the stack from any working directory.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chaosbankHome } from '../../src/contract/home.js';
import { writeJsonAtomic } from './state.js';
import type { ProcessIdentity } from './proc.js';

export interface RegistryEntry {
  runId: string;
  runDir: string;
  owner: ProcessIdentity;
  createdAt: string;
}

export { chaosbankHome };

export const stacksDir = (home = chaosbankHome()): string => join(home, 'stacks');

export function registerStack(entry: RegistryEntry, home = chaosbankHome()): string {
  const path = join(stacksDir(home), `${entry.runId}.json`);
  writeJsonAtomic(path, entry);
  return path;
}

export function unregisterStack(runId: string, home = chaosbankHome()): void {
  rmSync(join(stacksDir(home), `${runId}.json`), { force: true });
}

/** Every registered stack, oldest first. Unreadable entries are skipped (and reported). */
export function listRegistered(home = chaosbankHome()): { entries: RegistryEntry[]; unreadable: string[] } {
  const dir = stacksDir(home);
  mkdirSync(dir, { recursive: true });
  const entries: RegistryEntry[] = [];
  const unreadable: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    try {
      entries.push(JSON.parse(readFileSync(join(dir, name), 'utf8')) as RegistryEntry);
    } catch {
      unreadable.push(join(dir, name));
    }
  }
  entries.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return { entries, unreadable };
}

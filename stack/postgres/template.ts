/**
 * Template data directories: a cluster's first bootstrap (initdb, control schema, the caller's schema and
 * seed, clean shutdown) is kept under `<cacheDir>/<key>/data` and later bootstraps copy it instead of
 * running initdb again. The key hashes everything the template's content depends on (PostgreSQL version,
 * initdb arguments, control.sql, the caller's schema key), so a template of an older schema is never
 * used. A template appears atomically (built in a temp dir, then renamed), so a concurrent bootstrap sees
 * either no template or a complete one; two builders race harmlessly (the second rename loses).
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { postgresBinaries } from './binaries.js';
import { copyDataDirFast } from './copy.js';
import { INITDB_ARGS } from './init.js';

const run = promisify(execFile);
// Bump when the way a template is made changes (what bootstrap leaves out of it, settings baked in).
const TEMPLATE_FORMAT = 1;
const BUILDING_PREFIX = '.building-';
const COMPLETE_MARKER = 'complete.json';

export interface TemplateCache {
  /** Directory holding the templates, e.g. `~/.chaosbank/templates`. */
  cacheDir: string;
  /** Identity of what `applySchema` creates (hash of its SQL, its code and its parameters). */
  schemaKey: string;
}

let versionCache: Promise<string> | undefined;

/** `postgres --version` of the embedded binaries (once per process). */
export function postgresVersion(): Promise<string> {
  versionCache ??= postgresBinaries().then(async ({ postgres }) => {
    const { stdout } = await run(postgres, ['--version']);
    return stdout.trim();
  });
  return versionCache;
}

/** The cache key of a template: a hash of everything its content depends on. */
export async function templateKey(schemaKey: string, controlSql: string): Promise<string> {
  const hash = createHash('sha256');
  for (const part of [
    String(TEMPLATE_FORMAT),
    await postgresVersion(),
    `${process.platform}-${process.arch}`,
    INITDB_ARGS.join(' '),
    controlSql,
    schemaKey,
  ])
    hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 24);
}

export const templateDataDir = (cacheDir: string, key: string): string => path.join(cacheDir, key, 'data');

/** The data directory of a complete template, or undefined when there is none yet. */
export async function findTemplate(cacheDir: string, key: string): Promise<string | undefined> {
  const marker = await stat(path.join(cacheDir, key, COMPLETE_MARKER)).catch(() => undefined);
  return marker?.isFile() ? templateDataDir(cacheDir, key) : undefined;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Remove temp dirs of builders that died mid-copy (their pid is in the name). */
async function removeAbandonedBuilds(cacheDir: string): Promise<void> {
  const names = await readdir(cacheDir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => name.startsWith(BUILDING_PREFIX))
      .filter((name) => {
        const pid = Number(name.slice(BUILDING_PREFIX.length).split('-')[0]);
        return Number.isInteger(pid) && pid > 0 && !isAlive(pid);
      })
      .map((name) => rm(path.join(cacheDir, name), { recursive: true, force: true })),
  );
}

/**
 * Save a cleanly shut down data directory as the template `key`: copy into a temp dir of the cache, then
 * rename it into place. Loses quietly to a concurrent builder of the same key.
 */
export async function saveTemplate(cacheDir: string, key: string, sourceDataDir: string): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  await removeAbandonedBuilds(cacheDir);
  const temp = path.join(cacheDir, `${BUILDING_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(temp, { mode: 0o755 });
    await copyDataDirFast(sourceDataDir, path.join(temp, 'data'));
    await writeFile(
      path.join(temp, COMPLETE_MARKER),
      `${JSON.stringify({ key, createdAt: new Date().toISOString(), version: await postgresVersion() })}\n`,
    );
    await rename(temp, path.join(cacheDir, key)).catch((error: NodeJS.ErrnoException) => {
      // Another bootstrap saved the same template first: theirs is as good as ours.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

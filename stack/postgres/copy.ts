/**
 * Copy a data directory file by file (no `cp`, no shell), owned by the postgres user. With `online`, the
 * source is a running server inside pg_backup_start/stop: files may change or vanish while we copy, and
 * the directories PostgreSQL documents as "omit from a base backup" are left empty.
 */
import { execFile } from 'node:child_process';
import { chmod, chown, copyFile, lstat, mkdir, readdir, readlink, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { postgresOsUser, type OsUser } from './os-user.js';

// Relative to the data directory: copied as empty directories in an online backup.
const ONLINE_EMPTY_DIRS = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
]);
// Never copied (both modes): state of the running server and of its recovery.
const SKIP_FILES = new Set([
  'postmaster.pid',
  'postmaster.opts',
  'backup_label',
  'tablespace_map',
  'standby.signal',
  'recovery.signal',
]);

const vanished = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT';

async function copyTree(
  source: string,
  target: string,
  relative: string,
  online: boolean,
  user: OsUser | undefined,
): Promise<void> {
  const from = path.join(source, relative);
  const to = path.join(target, relative);
  let entries;
  try {
    entries = await readdir(from, { withFileTypes: true });
  } catch (error) {
    if (online && vanished(error)) return;
    throw error;
  }
  await mkdir(to, { recursive: true, mode: 0o700 });
  await chmod(to, 0o700);
  if (user) await chown(to, user.uid, user.gid);
  const skipContents = online && ONLINE_EMPTY_DIRS.has(relative);
  const files: string[] = [];
  for (const entry of entries) {
    const child = path.join(relative, entry.name);
    if (entry.isDirectory()) {
      if (skipContents && !(relative === 'pg_wal' && entry.name === 'archive_status')) continue;
      if (online && entry.name.startsWith('pgsql_tmp')) continue;
      await copyTree(source, target, child, online, user);
    } else if (!skipContents && !(relative === '' && SKIP_FILES.has(entry.name))) {
      files.push(child);
    }
  }
  // Copy files of one directory in parallel (a fresh cluster has ~1000 small files).
  await Promise.all(
    files.map(async (file) => {
      const src = path.join(source, file);
      const dst = path.join(target, file);
      try {
        const info = await lstat(src);
        if (info.isSymbolicLink()) await symlink(await readlink(src), dst);
        else await copyFile(src, dst);
        if (user)
          await chown(dst, user.uid, user.gid).catch((error: unknown) => {
            if (!vanished(error)) throw error;
          });
      } catch (error) {
        if (online && vanished(error)) return;
        throw error;
      }
    }),
  );
}

/** Copy `source` (a data directory) into `target` (created; must be empty or absent). */
export async function copyDataDir(
  source: string,
  target: string,
  options: { online: boolean },
): Promise<void> {
  await copyTree(source, target, '', options.online, await postgresOsUser());
}

const run = promisify(execFile);

/**
 * Copy a stopped data directory (a template, a cleanly shut down primary) into `target` (created when
 * absent; an existing target — an empty directory or a symlink to one — receives the contents). On Linux
 * one `cp -a --reflink=auto` (argv, no shell): native speed, keeps owner and modes, and shares blocks on
 * filesystems with reflinks; elsewhere the file-by-file copy above.
 */
export async function copyDataDirFast(source: string, target: string): Promise<void> {
  if (process.platform !== 'linux') {
    await copyDataDir(source, target, { online: false });
    return;
  }
  await mkdir(target, { recursive: true, mode: 0o700 });
  try {
    // `src/.` into `target/`: the contents (and the top directory's mode and owner), through a symlink too.
    await run('cp', ['-a', '--reflink=auto', '--', `${source}/.`, `${target}/`]);
  } catch (error) {
    // A cp without --reflink (busybox) or none at all: the portable copy (it overwrites a partial one).
    try {
      await copyDataDir(source, target, { online: false });
    } catch (fallbackError) {
      const stderr = (error as { stderr?: string }).stderr?.trim();
      throw new Error(
        `cannot copy ${source} to ${target}: ${(fallbackError as Error).message}${stderr ? ` (cp: ${stderr})` : ''}`,
        { cause: fallbackError },
      );
    }
  }
  await Promise.all(
    ['postmaster.pid', 'postmaster.opts', 'standby.signal', 'recovery.signal'].map((file) =>
      rm(path.join(target, file), { force: true }),
    ),
  );
}

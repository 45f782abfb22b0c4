/**
 * Where the databases' data directories really live. Creating PostgreSQL's ~1000 small files is what a
 * fresh cluster costs on a disk filesystem (ext4 here: ~0.3 ms of kernel time per file, seconds for three
 * nodes on a busy machine), and on tmpfs next to nothing. So on Linux, when `/dev/shm` is a writable tmpfs
 * with room to spare, each `<runDir>/db/<region>/data` is a symlink into `/dev/shm/chaosbank-<runId>-<random>`
 * (logs stay in the run directory). `CHAOSBANK_PG_TMPFS=0` keeps the data on disk (long soaks: the WAL a
 * database keeps, up to wal_keep_size, then lives in RAM).
 */
import { constants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { access, mkdir, statfs, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ensureTraversable, giveToPostgres } from '../../stack/index.js';

const SHM = '/dev/shm';
const MIN_FREE_BYTES = 2 * 1024 ** 3;

/** The tmpfs to hold data directories, or null to keep them in the run directory. */
export async function ramDirRoot(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  if (process.platform !== 'linux' || env.CHAOSBANK_PG_TMPFS === '0') return null;
  try {
    await access(SHM, constants.W_OK);
    const fs = await statfs(SHM);
    const TMPFS_MAGIC = 0x01021994;
    if (fs.type !== TMPFS_MAGIC || fs.bavail * fs.bsize < MIN_FREE_BYTES) return null;
    return SHM;
  } catch {
    return null;
  }
}

/** A fresh (not yet created) directory under `root` for this run's data directories. */
export function ramRunDir(root: string, runId: string): string {
  return join(root, `chaosbank-${runId.replace(/[^\w.-]/g, '_')}-${randomBytes(4).toString('hex')}`);
}

/**
 * Make `dataDir` (in the run directory) a symlink to `realDir` (an empty directory PostgreSQL may own).
 */
export async function linkDataDir(dataDir: string, realDir: string): Promise<void> {
  await mkdir(realDir, { recursive: true, mode: 0o700 });
  await ensureTraversable(dirname(realDir));
  await giveToPostgres(realDir);
  await mkdir(dirname(dataDir), { recursive: true });
  await symlink(realDir, dataDir, 'dir');
}

import { existsSync, lstatSync, mkdtempSync, readlinkSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linkDataDir, ramDirRoot, ramRunDir } from './ram-dirs.js';

const root = mkdtempSync(join(os.tmpdir(), 'chaosbank-ramdirs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('RAM-backed data directories', () => {
  it('is switched off by CHAOSBANK_PG_TMPFS=0, and on Linux uses /dev/shm when it is a roomy tmpfs', async () => {
    expect(await ramDirRoot({ CHAOSBANK_PG_TMPFS: '0' })).toBeNull();
    const found = await ramDirRoot({});
    if (process.platform !== 'linux') expect(found).toBeNull();
    else expect([null, '/dev/shm']).toContain(found);
  });

  it('names a fresh per-run directory (not created) and links a data dir to it', async () => {
    const a = ramRunDir(root, 'up-2026/x y');
    expect(a).not.toBe(ramRunDir(root, 'up-2026/x y'));
    expect(a.startsWith(join(root, 'chaosbank-up-2026_x_y-'))).toBe(true);
    expect(existsSync(a)).toBe(false);
    const dataDir = join(root, 'run', 'db', 'us-east', 'data');
    await linkDataDir(dataDir, join(a, 'us-east'));
    expect(lstatSync(dataDir).isSymbolicLink()).toBe(true);
    expect(readlinkSync(dataDir)).toBe(join(a, 'us-east'));
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });
});

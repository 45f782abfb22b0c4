/**
 * Puts the FAKE k6 (fake-k6.cjs: k6's command line, exit codes, output format; the script really runs)
 * on a PATH of its own, claiming `version`.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FAKE = join(dirname(fileURLToPath(import.meta.url)), 'fake-k6.cjs');

export interface FakeK6 extends Disposable {
  /** The folder holding `k6`: use as PATH. */
  bin: string;
  path: string;
}

export function installFakeK6(version = '1.3.0'): FakeK6 {
  const bin = mkdtempSync(join(tmpdir(), 'chaosbank-fake-k6-'));
  const path = join(bin, 'k6');
  writeFileSync(
    path,
    `#!${process.execPath}\nprocess.env.FAKE_K6_VERSION = ${JSON.stringify(version)};\nrequire(${JSON.stringify(FAKE)});\n`,
  );
  chmodSync(path, 0o755);
  return { bin, path, [Symbol.dispose]: () => rmSync(bin, { recursive: true, force: true }) };
}

/**
 * The k6 runner against a FAKE k6 executable (test/load/fake-k6: k6 1.x/2.x command line, exit codes
 * and NDJSON output; our script really runs, its requests really sent) and a payment API double.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isChaosbankError } from '../../src/contract/errors.js';
import { readHistoryArray } from '../../src/history/reader.js';
import {
  checkK6,
  defaultK6Script,
  findK6,
  k6Environment,
  requireK6,
  runK6,
} from '../../src/load/k6-runner.js';
import { hashJsonValue } from '../../src/load/response-body.js';
import { installFakeK6 } from './fake-k6/fake-k6.js';
import { loadSpec, tempDir } from './helpers.js';
import { startPaymentServers, type PaymentServers } from './payment-server.js';

const load = loadSpec({
  engine: 'k6',
  rate: 8,
  duration: '1500ms',
  timeout: '1s',
  accounts: { count: 20 },
  mix: { replays: 0.2, concurrentDuplicates: 0.1, mismatches: 0.1, reads: 0.2 },
});

let servers: PaymentServers;
beforeAll(async () => {
  servers = await startPaymentServers();
});
afterAll(async () => {
  await servers.close();
});
const targets = () => ({ router: servers.routerUrl, regions: servers.regionUrls });

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('fake k6 (named FAKE: k6 cannot be installed here) speaks the k6 command line', () => {
  it('prints the version in k6 format and rejects --no-summary from 2.0 on, as k6 2.x does (exit 255)', () => {
    using fake = installFakeK6('2.0.0');
    expect(spawnSync(fake.path, ['version'], { encoding: 'utf8' }).stdout).toMatch(/^k6 v2\.0\.0 \(commit\//);
    const old = spawnSync(fake.path, ['run', '--no-summary', defaultK6Script()], { encoding: 'utf8' });
    expect(old.status).toBe(255);
    expect(old.stderr).toContain('level=error msg="unknown flag: --no-summary"');
  });

  it('runs no iteration without CHAOSBANK_LOAD: the script fails in the init context (exit 107)', () => {
    using fake = installFakeK6('1.3.0');
    const run = spawnSync(fake.path, ['run', '--summary-mode=disabled', defaultK6Script()], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(run.status).toBe(107);
    expect(run.stderr).toContain('CHAOSBANK_LOAD is not set');
  });
});

describe('k6 runner', () => {
  it('finds k6 only when an executable named k6 is on PATH; K6_NOT_FOUND (exit 3) otherwise', () => {
    using empty = tempDir();
    expect(findK6(empty.path)).toBeUndefined();
    using fake = installFakeK6();
    expect(findK6(`${empty.path}:${fake.bin}`)).toBe(fake.path);
    let error: unknown;
    try {
      requireK6(empty.path);
    } catch (e) {
      error = e;
    }
    expect(isChaosbankError(error) && [error.code, error.exitCode]).toEqual(['K6_NOT_FOUND', 3]);
  });

  it('refuses k6 below 1.0 (no TypeScript) before running anything: K6_TOO_OLD, exit 3', async () => {
    using fake = installFakeK6('0.54.0');
    const error = await caught(checkK6(fake.bin));
    expect(isChaosbankError(error) && [error.code, error.exitCode]).toEqual(['K6_TOO_OLD', 3]);
    expect((error as Error).message).toContain('k6 v0.54.0');
    using current = installFakeK6('1.0.0');
    expect((await checkK6(current.bin)).version.text).toBe('v1.0.0');
  });

  for (const version of ['1.0.0', '1.3.0', '2.0.0']) {
    it(`runs on k6 ${version} with the summary flag that version knows, k6's output kept in k6.log`, async () => {
      using fake = installFakeK6(version);
      using dir = tempDir();
      const logFile = join(dir.path, 'k6.log');
      const result = await runK6({
        load,
        targets: targets(),
        seed: 3,
        keyPrefix: `v${version}`,
        outFile: join(dir.path, 'k6.ndjson'),
        logFile,
        pathEnv: fake.bin,
      });
      expect(result.exitCode).toBe(0);
      expect(existsSync(logFile)).toBe(true);
      expect(readFileSync(logFile, 'utf8')).not.toMatch(/deprecated|unknown flag/);
      expect((await readHistoryArray(result.outFile)).length).toBeGreaterThan(3);
    }, 30_000);
  }

  it('quotes the error k6 printed when it exits 107, and keeps it in k6.log', async () => {
    using fake = installFakeK6();
    using dir = tempDir();
    const script = join(dir.path, 'broken.ts');
    writeFileSync(
      script,
      "throw new SyntaxError('Unexpected token (3:7)');\nexport default function (): void {}\n",
    );
    const error = await caught(
      runK6({
        load,
        targets: targets(),
        seed: 1,
        keyPrefix: 'p',
        script,
        outFile: join(dir.path, 'o.ndjson'),
        logFile: join(dir.path, 'k6.log'),
        pathEnv: fake.bin,
      }),
    );
    expect(isChaosbankError(error) && error.code).toBe('K6_FAILED');
    expect((error as Error).message).toMatch(/code 107 \(script exception\).*SyntaxError: Unexpected token/);
    expect(readFileSync(join(dir.path, 'k6.log'), 'utf8')).toContain('SyntaxError');
  });

  it('fails the load when iterations throw, although k6 exits 0', async () => {
    using fake = installFakeK6();
    using dir = tempDir();
    const script = join(dir.path, 'throws.ts');
    writeFileSync(
      script,
      "export const options = { scenarios: { payments: { executor: 'constant-arrival-rate', rate: 5, timeUnit: '1s', duration: '600ms', preAllocatedVUs: 1 } } };\n" +
        "export default function (): void { throw new TypeError('load.accounts is undefined'); }\n",
    );
    const error = await caught(
      runK6({
        load,
        targets: targets(),
        seed: 1,
        keyPrefix: 'p',
        script,
        outFile: join(dir.path, 'o.ndjson'),
        pathEnv: fake.bin,
      }),
    );
    expect(isChaosbankError(error) && error.code).toBe('K6_SCRIPT_ERROR');
    expect((error as Error).message).toContain('load.accounts is undefined');
  });

  it('records what the checkers need from each response: serving region, epoch, payment id, body hash, balance', async () => {
    using fake = installFakeK6();
    using dir = tempDir();
    expect(k6Environment({ load, targets: targets(), seed: 5, keyPrefix: 'p' })).toMatchObject({
      CHAOSBANK_SEED: '5',
    });
    const result = await runK6({
      load,
      targets: targets(),
      seed: 5,
      keyPrefix: 'fields',
      outFile: join(dir.path, 'k6.ndjson'),
      pathEnv: fake.bin,
    });
    const attempts = await readHistoryArray(result.outFile);
    const payments = attempts.filter((a) => a.kind !== 'read' && a.status === 201);
    const reads = attempts.filter((a) => a.kind === 'read' && a.status === 200);
    expect(payments.length).toBeGreaterThan(0);
    expect(reads.length).toBeGreaterThan(0);
    expect(new Set(attempts.map((a) => a.seq)).size).toBe(attempts.length); // one line per attempt
    for (const a of payments) {
      expect(a.servedBy).toMatch(/us-east|eu-west/);
      expect(a.epoch).toBe(1);
      expect(a.paymentId).toBeTruthy();
      expect(a.bodyHash).toMatch(/^[0-9a-f]{14}$/);
      expect(a.key).toMatch(/^fields-/);
    }
    for (const a of reads) expect(typeof a.balance).toBe('number');
    // the same body hash as the embedded engine's
    const read = reads[0]!;
    expect(read.bodyHash).toBe(hashJsonValue({ id: read.account, currency: 'USD', balance: read.balance }));
  }, 30_000);
});

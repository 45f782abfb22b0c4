import { chmodSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isChaosbankError } from '../contract/errors.js';
import { loadSchema } from './spec.js';
import { defaultK6Script, findK6, k6Environment, requireK6, runK6Load } from './k6-runner.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'chaosbank-k6-'));
  dirs.push(d);
  return d;
}

const load = loadSchema.parse({ engine: 'k6', rate: 10, duration: '1s' });

/**
 * A stand-in `k6` executable (a real process on PATH): checks its argv and environment the way
 * the real binary would receive them, and writes one k6 JSON line to the --out file.
 */
const FAKE_K6 = `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
const out = args[args.indexOf('--out') + 1].replace(/^json=/, '');
if (args[0] !== 'run' || !args.at(-1).endsWith('payments.ts')) process.exit(104);
const load = JSON.parse(process.env.CHAOSBANK_LOAD);
const line = { type: 'Point', metric: 'http_req_duration', data: { time: '2026-01-01T00:00:00.010000000Z', value: 10,
  tags: { status: '201', method: 'POST', name: 'POST /v1/payments', scenario: 'payments', expected_response: 'true', kind: 'first', target: 'router' },
  metadata: { key: process.env.CHAOSBANK_KEY_PREFIX + '-0', intended_ms: String(Date.parse('2026-01-01T00:00:00Z')), rate: String(load.rate), router: process.env.CHAOSBANK_ROUTER_URL } } };
fs.writeFileSync(out, JSON.stringify({ type: 'Metric', metric: 'http_req_duration', data: { type: 'trend', contains: 'time' } }) + '\\n' + JSON.stringify(line) + '\\n');
process.exit(Number(process.env.FAKE_K6_EXIT ?? '0'));
`;

describe('k6 runner', () => {
  it('finds k6 only when an executable named k6 is on PATH', () => {
    const empty = temp();
    expect(findK6(empty)).toBeUndefined();
    const bin = temp();
    writeFileSync(join(bin, 'k6'), FAKE_K6);
    expect(findK6(`${empty}:${bin}`)).toBeUndefined(); // not executable yet
    chmodSync(join(bin, 'k6'), 0o755);
    expect(findK6(`${empty}:${bin}`)).toBe(join(bin, 'k6'));
  });

  it('fails with K6_NOT_FOUND (exit 3) and an actionable message when k6 is absent', () => {
    let error: unknown;
    try {
      requireK6(temp());
    } catch (e) {
      error = e;
    }
    expect(isChaosbankError(error)).toBe(true);
    if (!isChaosbankError(error)) return;
    expect(error.code).toBe('K6_NOT_FOUND');
    expect(error.exitCode).toBe(3);
    expect(error.details.join(' ')).toMatch(/install k6|load.engine: embedded/);
  });

  it('passes the workload to k6 through the environment and reads its NDJSON back', async () => {
    const bin = temp();
    writeFileSync(join(bin, 'k6'), FAKE_K6);
    chmodSync(join(bin, 'k6'), 0o755);
    const outFile = join(temp(), 'k6.ndjson');
    const targets = { router: 'http://127.0.0.1:1', regions: { 'us-east': 'http://127.0.0.1:2' } };
    expect(k6Environment({ load, targets, seed: 5, keyPrefix: 'p' })).toMatchObject({
      CHAOSBANK_SEED: '5',
      CHAOSBANK_ROUTER_URL: 'http://127.0.0.1:1',
    });
    const { result, attempts } = await runK6Load({
      load,
      targets,
      seed: 5,
      keyPrefix: 'run42',
      outFile,
      pathEnv: bin,
    });
    expect(result.exitCode).toBe(0);
    expect(existsSync(defaultK6Script())).toBe(true);
    const read = [];
    for await (const a of attempts) read.push(a);
    expect(read).toHaveLength(1);
    expect(read[0]).toMatchObject({ key: 'run42-0', kind: 'first', status: 201, outcome: 'ok' });
    expect(read[0]!.intendedStart).toBe(Date.parse('2026-01-01T00:00:00Z'));
  });

  it('maps a failing k6 exit code to K6_FAILED', async () => {
    const bin = temp();
    writeFileSync(join(bin, 'k6'), FAKE_K6);
    chmodSync(join(bin, 'k6'), 0o755);
    process.env.FAKE_K6_EXIT = '107';
    try {
      const error: unknown = await runK6Load({
        load,
        targets: { router: 'http://127.0.0.1:1' },
        seed: 1,
        keyPrefix: 'p',
        outFile: join(temp(), 'o.ndjson'),
        pathEnv: bin,
      }).catch((e: unknown) => e);
      expect(isChaosbankError(error) && error.code).toBe('K6_FAILED');
    } finally {
      delete process.env.FAKE_K6_EXIT;
    }
  });
});

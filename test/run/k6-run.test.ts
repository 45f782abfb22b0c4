/**
 * `chaosbank run` with `load.engine: k6`, end to end through the real CLI and the real stack, with
 * the FAKE k6 (test/load/fake-k6: k6's command line and output; k6 itself cannot be installed here).
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { delimiter, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installFakeK6 } from '../load/fake-k6/fake-k6.js';
import { FIXTURES, readReport, runCli, runFolders } from './helpers.js';

const SCENARIO = join(FIXTURES, 'k6-small.yaml');
/** PATH without any k6: node's own folder and the system's. */
const PATH_WITHOUT_K6 = [dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter);

describe('chaosbank run --load k6 (FAKE k6, e2e)', () => {
  const { env, outDir } = runFolders('cb-k6-e2e-');

  it('without k6, or with a k6 below 1.0, exits 3 before provisioning anything', async () => {
    const missing = outDir('missing');
    const none = runCli(['run', SCENARIO, '--out', missing], { ...env, PATH: PATH_WITHOUT_K6 });
    expect(await none.exited).toBe(3);
    expect(none.stderr()).toContain('K6_NOT_FOUND');
    expect(existsSync(join(missing, 'stack'))).toBe(false);

    using old = installFakeK6('0.54.0');
    const tooOld = outDir('too-old');
    const run = runCli(['run', SCENARIO, '--out', tooOld], {
      ...env,
      PATH: `${old.bin}${delimiter}${PATH_WITHOUT_K6}`,
    });
    expect(await run.exited).toBe(3);
    expect(run.stderr()).toMatch(/K6_TOO_OLD.*k6 v0\.54\.0/);
    expect(existsSync(join(tooOld, 'stack'))).toBe(false);
  });

  it('passes a clean run: the steady-state probe payments are in the history, so no unknown write', async () => {
    using fake = installFakeK6('2.0.0');
    const out = outDir('clean');
    const run = runCli(['run', SCENARIO, '--out', out, '--seed', '42'], {
      ...env,
      PATH: `${fake.bin}${delimiter}${process.env.PATH ?? ''}`,
    });
    const code = await run.exited;
    if (code !== 0) console.error(run.stderr().slice(-4000));
    expect(code).toBe(0);
    const report = await readReport(out);
    expect(report.verdict?.metrics.unknown_writes).toBe(0);
    expect(report.verdict?.metrics.split_brain).toBe(0); // measured: k6 attempts carry the epoch
    // both histories gzip by default: ours written by chaosbank, k6's because k6 was asked for .gz
    const probe = gunzipSync(readFileSync(join(out, 'history.ndjson.gz'))).toString('utf8');
    expect(probe).toMatch(/-ss--/);
    const k6History = gunzipSync(readFileSync(join(out, 'history.k6.ndjson.gz'))).toString('utf8');
    expect(k6History).toContain('"metric":"http_req_duration"');
    expect(report.artifacts).toMatchObject({
      history: expect.stringMatching(/history\.ndjson\.gz$/),
      k6History: expect.stringMatching(/history\.k6\.ndjson\.gz$/),
    });
    expect(existsSync(join(out, 'k6.log'))).toBe(true);
  }, 150_000);
});

import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readHistoryArray } from '../../src/history/reader.js';
import { isChaosbankError } from '../../src/contract/errors.js';
import { tempDir } from './helpers.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

describe('reading NDJSON written by real k6', () => {
  it('reads the k6 documentation sample: one GET sample, offsets and nanoseconds kept', async () => {
    const attempts = await readHistoryArray(join(fixtures, 'k6-docs-json-output.ndjson'));
    expect(attempts).toHaveLength(1);
    const [a] = attempts;
    expect(a).toMatchObject({ kind: 'read', status: 200, outcome: 'ok', target: 'router', seq: 0 });
    // k6 stamps the end: 14:34:45.239531499+02:00 = 12:34:45.239531499Z
    expect(a!.end).toBeCloseTo(Date.UTC(2017, 4, 9, 12, 34, 45) + 239.531499, 3);
    expect(a!.end - a!.start).toBeCloseTo(459.865729, 3);
    expect(a!.intendedStart).toBe(a!.start);
  });

  it("skips every non-HTTP metric of k6's own JSON output test", async () => {
    expect(await readHistoryArray(join(fixtures, 'k6-json-output-test.ndjson'))).toEqual([]);
  });

  it('reads only http_req_duration from a real ramping-vus run (UTC times)', async () => {
    const attempts = await readHistoryArray(join(fixtures, 'k6-ramping-vus-sample.ndjson'));
    expect(attempts.map((a) => a.seq)).toEqual([0, 1, 2]);
    expect(attempts.every((a) => a.status === 200 && a.outcome === 'ok')).toBe(true);
    expect(attempts[1]!.end).toBeCloseTo(Date.UTC(2022, 9, 11, 3, 29, 3) + 911.00717, 3);
    expect(attempts[1]!.end - attempts[1]!.start).toBeCloseTo(0.19281, 3);
  });

  it('reads gzipped output (k6 --out json=file.gz) and reports bad lines with file:line', async () => {
    using dir = tempDir();
    const gz = join(dir.path, 'out.json.gz');
    const { readFileSync } = await import('node:fs');
    writeFileSync(gz, gzipSync(readFileSync(join(fixtures, 'k6-ramping-vus-sample.ndjson'))));
    expect(await readHistoryArray(gz)).toHaveLength(3);

    const bad = join(dir.path, 'bad.ndjson');
    writeFileSync(
      bad,
      '{"type":"Point","metric":"vus","data":{"time":"2022-10-11T03:29:01Z","value":1}}\n{"type":"Poi\n',
    );
    const error: unknown = await readHistoryArray(bad).catch((e: unknown) => e);
    expect(isChaosbankError(error) && error.code).toBe('HISTORY_BAD_LINE');
    expect((error as Error).message).toContain('bad.ndjson:2');

    const missing: unknown = await readHistoryArray(join(dir.path, 'nope.ndjson')).catch((e: unknown) => e);
    expect(isChaosbankError(missing) && missing.code).toBe('HISTORY_NOT_FOUND');
  });
});

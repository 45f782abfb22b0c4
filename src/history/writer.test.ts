import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Attempt } from './attempt.js';
import { samplePayment } from './attempt-fixtures.js';
import { decodeLine } from './codec.js';
import type { K6Line } from './codec.js';
import { HistoryWriter } from './writer.js';

const dir = mkdtempSync(join(tmpdir(), 'chaosbank-history-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('HistoryWriter', () => {
  it('writes every attempt as one line across chunks, lines longer than a chunk included', async () => {
    const path = join(dir, 'history.ndjson');
    const writer = new HistoryWriter(path);
    const attempts: Attempt[] = [];
    for (let seq = 0; seq < 3000; seq++) {
      // one line of ~120 KiB (escaped), longer than the 80 KiB chunk; one with text that needs UTF-8
      const bodyHash = seq === 1500 ? '\u2028'.repeat(20_000) : seq === 1501 ? 'é€😀' : 'ab12';
      attempts.push({ ...samplePayment, seq, bodyHash });
    }
    for (const attempt of attempts) writer.write(attempt);
    writer.dropped(1_790_000_000_000, 'router');
    await writer.close();
    expect(() => writer.write(samplePayment)).toThrow(/already closed/);

    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2 + attempts.length + 1); // metric declarations, attempts, dropped
    expect(writer.lines).toBe(lines.length);
    const decoded = lines.map((line, i) => decodeLine(JSON.parse(line) as K6Line, i)).filter((a) => a);
    expect(decoded).toEqual(attempts);
  });
});

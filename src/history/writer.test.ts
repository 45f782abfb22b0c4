import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Attempt } from './attempt.js';
import { samplePayment } from './attempt-fixtures.js';
import { decodeLine } from './codec.js';
import type { K6Line } from './codec.js';
import { killedGzipHistory } from './killed-history-fixtures.js';
import { readHistoryArray } from './reader.js';
import { HistoryWriter } from './writer.js';

const dir = mkdtempSync(join(tmpdir(), 'chaosbank-history-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const attemptsWith = (count: number, seq0 = 0): Attempt[] =>
  Array.from({ length: count }, (_, i) => ({ ...samplePayment, seq: seq0 + i, key: `k-${seq0 + i}` }));

describe('HistoryWriter', () => {
  it.each([
    ['plain', 'history.ndjson'],
    ['gzip', 'history.ndjson.gz'],
  ])(
    '%s: writes every attempt as one line across chunks, lines longer than a chunk included; the reader reads them back',
    async (format, name) => {
      const path = join(dir, name);
      const writer = new HistoryWriter(path);
      expect(writer.format).toBe(format);
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

      const raw = readFileSync(path);
      // gzip on disk exactly when the name ends in .gz (what zcat and k6 tooling expect)
      expect(raw[0] === 0x1f && raw[1] === 0x8b).toBe(format === 'gzip');
      const text = (format === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      const lines = text.trimEnd().split('\n');
      expect(lines).toHaveLength(2 + attempts.length + 1); // metric declarations, attempts, dropped
      expect(writer.lines).toBe(lines.length);
      const decoded = lines.map((line, i) => decodeLine(JSON.parse(line) as K6Line, i)).filter((a) => a);
      expect(decoded).toEqual(attempts);
      let dropped = 0;
      expect(await readHistoryArray(path, { onDropped: (n) => (dropped += n) })).toEqual(attempts);
      expect(dropped).toBe(1);
    },
  );

  it('gzip: each flush tick leaves every line written so far readable on disk, before close', async () => {
    const first = attemptsWith(300);
    const second = attemptsWith(500, 300);
    // killedGzipHistory waits until each tick's lines are readable from the unclosed file
    const killed = await killedGzipHistory(join(dir, 'ticks.ndjson.gz'), first, second);
    expect(killed.secondFlushBytes).toBeGreaterThan(killed.firstFlushBytes);
    // no trailer yet: a strict gunzip refuses the file, which is why a re-check reads it leniently
    expect(() => gunzipSync(killed.bytes)).toThrow(/unexpected end of file/);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Attempt } from './attempt.js';
import { attemptArb } from './attempt-fixtures.js';
import { decodeLine, encodeAttempt, encodeDropped, HISTORY_METRICS, metricLine } from './codec.js';
import type { K6Line } from './codec.js';
import { readHistoryArray } from './reader.js';
import { decodeOwnLine } from './fast-decoder.js';
import { samplePayment } from './attempt-fixtures.js';
import { killedGzipHistory, writeCut } from './killed-history-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'chaosbank-history-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const own = (line: string): Attempt | null => decodeOwnLine(Buffer.from(line), 0, Buffer.byteLength(line), 0);

/** The fewest fields an attempt can have. */
const minimalAttempt: Attempt = {
  seq: 1,
  kind: 'first',
  target: 'router',
  intendedStart: 1,
  start: 1,
  end: 2,
  status: 201,
  outcome: 'ok',
};

describe('history reader', () => {
  it('decodes our own lines without JSON.parse exactly as JSON.parse + decodeLine does', () => {
    fc.assert(
      fc.property(attemptArb, (attempt) => {
        const line = encodeAttempt(attempt);
        const general = decodeLine(JSON.parse(line) as K6Line, 5);
        const bytes = Buffer.from(`xx${line}\n`);
        const own = decodeOwnLine(bytes, 2, bytes.length - 1, 5);
        // lines with escaped characters are left to the general path
        if (own !== null) expect(own).toEqual(general);
        else expect(line).toContain('\\');
      }),
      { numRuns: 500 },
    );
  });

  it('leaves every other shape to the general path', () => {
    expect(own(metricLine(HISTORY_METRICS[0]))).toBeNull();
    expect(own(encodeDropped(1000, 'router'))).toBeNull();
    const line = encodeAttempt(minimalAttempt);
    expect(own(line)).toEqual(decodeLine(JSON.parse(line) as K6Line, 0));
    expect(own(line.replace('"key"', '"unused"'))).not.toBeNull();
    expect(own(line.replace('"value":', '"value": '))).toBeNull();
    expect(own(line.replace('"value":1', '"value":"1"'))).toBeNull();
    expect(own(line.replace('"status":"201"', '"status":201'))).toBeNull();
    expect(own(`${line} `)).toBeNull();
    expect(own(line.slice(0, -1))).toBeNull();
  });

  it('reads files larger than one read, CRLF and lone CR line ends, blank lines and a last line without LF', async () => {
    const attempts: Attempt[] = Array.from({ length: 12_000 }, (_, seq) => ({
      seq,
      kind: seq % 7 === 0 ? 'read' : 'first',
      target: 'router',
      key: seq % 7 === 0 ? undefined : `run-${seq.toString(36)}`,
      account: seq % 7 === 0 ? 'acc-0001' : undefined,
      intendedStart: 1_790_000_000_000 + seq,
      start: 1_790_000_000_000.5 + seq,
      end: 1_790_000_000_010.25 + seq,
      status: 201,
      outcome: 'ok',
      paymentId: `pay_${'x'.repeat(400)}${seq}`, // ~6 MB: lines cross the reader's 4 MiB reads
      servedBy: 'eu-west',
    }));
    for (const a of attempts)
      for (const k of Object.keys(a) as (keyof Attempt)[]) if (a[k] === undefined) delete a[k];
    const lines = [metricLine(HISTORY_METRICS[0]), ...attempts.map(encodeAttempt)];
    const plain = write('plain.ndjson', `${lines.join('\n')}\n`);
    expect(await readHistoryArray(plain)).toEqual(attempts);
    const crlf = write('crlf.ndjson', `${lines.join('\r\n\r\n')}`);
    expect(await readHistoryArray(crlf)).toEqual(attempts);
    const cr = write('cr.ndjson', `${lines.slice(0, 50).join('\r')}\r`);
    expect(await readHistoryArray(cr)).toEqual(attempts.slice(0, 49));
    const gz = write('history.ndjson.gz', gzipSync(`${lines.join('\n')}\n`));
    expect(await readHistoryArray(gz)).toEqual(attempts);
  });

  it('names the line of a malformed point after handing out the attempts before it', async () => {
    const good = encodeAttempt(minimalAttempt);
    const broken = write('broken.ndjson', `${good}\n\n${good.slice(0, 40)}\n${good}\n`);
    const seen: Attempt[] = [];
    const read = async (): Promise<void> => {
      const { readHistory } = await import('./reader.js');
      for await (const a of readHistory(broken)) seen.push(a);
    };
    await expect(read()).rejects.toMatchObject({
      code: 'HISTORY_BAD_LINE',
      message: expect.stringContaining(':3:'),
    });
    expect(seen).toHaveLength(1);
    const badPoint = write('bad-point.ndjson', `${good.replace(/"time":"[^"]*"/, '"time":"yesterday"')}\n`);
    await expect(readHistoryArray(badPoint)).rejects.toMatchObject({ code: 'HISTORY_BAD_POINT' });
  });

  it('hands dropped_iterations points to onDropped, ours and k6-shaped alike', async () => {
    const k6Dropped = JSON.stringify({
      metric: 'dropped_iterations',
      type: 'Point',
      data: { time: '2025-01-01T00:00:01.5Z', value: 1, tags: { scenario: 'payments' } },
    });
    const path = write(
      'dropped.ndjson',
      [
        ...HISTORY_METRICS.map(metricLine),
        encodeAttempt(minimalAttempt),
        encodeDropped(1000, 'router'),
        encodeDropped(1001, 'router'),
        k6Dropped,
        '',
      ].join('\n'),
    );
    let dropped = 0;
    const attempts = await readHistoryArray(path, { onDropped: (n) => (dropped += n) });
    expect(attempts).toHaveLength(1);
    expect(dropped).toBe(3);
  });

  it('a killed run: reads what each gzip flush left and leaves out the torn tail, wherever the kill cut it', async () => {
    const at = (seq: number): Attempt => ({ ...samplePayment, seq, key: `k-${seq}` });
    const first = Array.from({ length: 200 }, (_, i) => at(i));
    const second = Array.from({ length: 200 }, (_, i) => at(200 + i));
    const path = join(dir, 'killed.ndjson.gz');
    const killed = await killedGzipHistory(path, first, second);
    const all = [...first, ...second];
    let torn = 0;
    let sawPartial = false;
    for (let cut = killed.firstFlushBytes; cut <= killed.secondFlushBytes; cut += 7) {
      writeCut(path, killed, cut);
      const read = await readHistoryArray(path, { onTornTail: () => torn++ });
      // every attempt of the first flush, then a prefix of the second: never an error, never a torn line
      expect(read.length).toBeGreaterThanOrEqual(first.length);
      expect(read).toEqual(all.slice(0, read.length));
      if (read.length > first.length && read.length < all.length) sawPartial = true;
    }
    expect(sawPartial).toBe(true);
    expect(torn).toBeGreaterThan(0);
    writeCut(path, killed, killed.secondFlushBytes);
    torn = 0;
    expect(await readHistoryArray(path, { onTornTail: () => torn++ })).toEqual(all);
    expect(torn).toBe(0);
    // without onTornTail (a run that ended normally) a stream without its trailer is an input error
    await expect(readHistoryArray(path)).rejects.toMatchObject({
      code: 'HISTORY_BAD_GZIP',
      message: expect.stringContaining('cut short'),
    });
  });

  it('a plain history: a last line without its LF is left out and reported with onTornTail', async () => {
    const good = encodeAttempt(minimalAttempt);
    const path = write(
      'torn.ndjson',
      `${good}
${good}
${good.slice(0, 30)}`,
    );
    let torn = 0;
    expect(await readHistoryArray(path, { onTornTail: () => torn++ })).toHaveLength(2);
    expect(torn).toBe(1);
    await expect(readHistoryArray(path)).rejects.toMatchObject({ code: 'HISTORY_BAD_LINE' });
  });

  it('a .gz file that is not gzip is an input error that says so', async () => {
    const path = write('not-gzip.ndjson.gz', `${encodeAttempt(minimalAttempt)}\n`);
    await expect(readHistoryArray(path)).rejects.toMatchObject({
      code: 'HISTORY_BAD_GZIP',
      message: expect.stringContaining('not a readable gzip stream'),
    });
  });
});

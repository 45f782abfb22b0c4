/**
 * Reads a history file (ours, or NDJSON written by real k6 with `--out json=FILE`, optionally
 * gzipped) back into Attempts. Only `http_req_duration` points become attempts; Metric lines and
 * other metrics (vus, http_reqs, dropped_iterations, checks...) are skipped.
 *
 * Lines are split on Buffer level from large reads; lines in our own encoder's exact shape are
 * decoded without JSON.parse (own-line-decoder.ts), everything else — real k6 output, escaped
 * strings, malformed lines — goes through JSON.parse + decodeLine, which also produces the errors.
 * Attempts come out in arrays (readHistoryBatches): one await per thousand attempts rather than one
 * per attempt; readHistory hands them out one by one.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { InputError } from '../contract/errors.js';
import type { Attempt } from './attempt.js';
import type { ExpectedStatuses } from '../contract/stack-http.js';
import { decodeLine } from './history-codec.js';
import type { K6Line } from './history-codec.js';
import { OwnLineDecoder } from './own-line-decoder.js';

export interface ReadHistoryOptions {
  /** Statuses meaning "definitely no effect", for samples that carry no `outcome` (plain k6 output). */
  expected?: ExpectedStatuses;
}

const READ_BYTES = 4 * 1024 * 1024;
/**
 * Attempts per batch: a read of the file holds thousands, and a batch stays alive until the caller
 * has taken it in, so smaller batches keep the young generation small (cheaper scavenges).
 */
const BATCH_ATTEMPTS = 1024;
const LF = 0x0a;
const CR = 0x0d;

/** Decodes the lines of one history file into attempts, batch by batch, counting lines as readline does. */
class HistoryDecoder {
  private lineNumber = 0;
  private httpSamples = 0;
  private readonly own = new OwnLineDecoder();
  /** Decoded attempts not yet handed out. */
  batch: Attempt[] = [];

  constructor(
    private readonly path: string,
    private readonly expected: ExpectedStatuses | undefined,
  ) {}

  /**
   * Decodes the LF-terminated lines of `bytes` from `from` (`bytes[end - 1]` is a LF) until the
   * batch is full or `end` is reached; returns where it stopped (the start of a line, or `end`).
   * `anyCr`: some line in [from, end) holds a CR.
   */
  lines(bytes: Buffer, from: number, end: number, anyCr: boolean): number {
    let start = from;
    while (start < end && this.batch.length < BATCH_ATTEMPTS) {
      const nl = bytes.indexOf(LF, start);
      if (anyCr) this.line(bytes, start, nl);
      else this.decode(bytes, start, nl);
      start = nl + 1;
    }
    return start;
  }

  /** The decoded attempts not yet handed out; the batch starts empty again. */
  take(): Attempt[] {
    const batch = this.batch;
    this.batch = [];
    return batch;
  }

  /** One line without its LF; a CR before the LF is dropped and a lone CR also ends a line (readline). */
  line(bytes: Buffer, start: number, end: number): void {
    const cr = bytes.indexOf(CR, start);
    if (cr < 0 || cr >= end) {
      this.decode(bytes, start, end);
      return;
    }
    const raw = bytes.toString('utf8', start, end);
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    for (const piece of text.split('\r')) {
      this.lineNumber++;
      this.decodeText(piece);
    }
  }

  private decode(bytes: Buffer, start: number, end: number): void {
    this.lineNumber++;
    const own = this.own.decode(bytes, start, end, this.httpSamples, this.expected);
    if (own !== null) {
      this.httpSamples++;
      this.batch.push(own);
      return;
    }
    this.decodeText(bytes.toString('utf8', start, end));
  }

  private decodeText(text: string): void {
    if (text.trim() === '') return;
    let parsed: K6Line;
    try {
      parsed = JSON.parse(text) as K6Line;
    } catch (cause) {
      throw new InputError('HISTORY_BAD_LINE', `${this.path}:${this.lineNumber}: not a JSON line`, {
        cause,
        details: ['a history is NDJSON as written by `k6 run --out json=FILE` or by chaosbank'],
      });
    }
    let attempt: Attempt | undefined;
    try {
      attempt = decodeLine(parsed, this.httpSamples, this.expected);
    } catch (cause) {
      throw new InputError(
        'HISTORY_BAD_POINT',
        `${this.path}:${this.lineNumber}: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
    if (attempt === undefined) return;
    this.httpSamples++;
    this.batch.push(attempt);
  }
}

/**
 * The attempts of a history file in arrays of up to BATCH_ATTEMPTS (never an empty one). A malformed
 * line fails the iteration after the attempts before it were handed out.
 */
export async function* readHistoryBatches(
  path: string,
  options: ReadHistoryOptions = {},
): AsyncIterable<Attempt[]> {
  try {
    await access(path);
  } catch (cause) {
    throw new InputError('HISTORY_NOT_FOUND', `history file not found: ${path}`, { cause });
  }
  const file = createReadStream(path, { highWaterMark: READ_BYTES });
  const source: Readable = path.endsWith('.gz') ? file.pipe(createGunzip({ chunkSize: 1024 * 1024 })) : file;
  const decoder = new HistoryDecoder(path, options.expected);
  /** The start of a line that continues in the next chunk. */
  let rest: Buffer | undefined;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      // the batch is empty here: each chunk's attempts are all handed out before the next one
      let from = 0;
      if (rest !== undefined) {
        const nl = chunk.indexOf(LF);
        if (nl < 0) {
          rest = Buffer.concat([rest, chunk]);
          continue;
        }
        const joined = Buffer.concat([rest, chunk.subarray(0, nl)]);
        rest = undefined;
        from = nl + 1;
        decoder.line(joined, 0, joined.length);
      }
      const last = chunk.lastIndexOf(LF);
      if (last >= from) {
        const cr = chunk.indexOf(CR, from);
        const anyCr = cr >= 0 && cr < last;
        while (from <= last) {
          let failure: Error | undefined;
          try {
            from = decoder.lines(chunk, from, last + 1, anyCr);
          } catch (error) {
            failure = error instanceof Error ? error : new Error(String(error));
          }
          // hand out what was decoded before a bad line, then fail on it
          if (decoder.batch.length > 0) yield decoder.take();
          if (failure !== undefined) throw failure;
        }
      }
      // the unterminated tail starts the next chunk's first line
      if (from < chunk.length) rest = Buffer.from(chunk.subarray(from));
    }
    if (rest !== undefined && rest.length > 0) decoder.line(rest, 0, rest.length);
    if (decoder.batch.length > 0) yield decoder.take();
  } finally {
    source.destroy();
    file.destroy();
  }
}

export async function* readHistory(path: string, options: ReadHistoryOptions = {}): AsyncIterable<Attempt> {
  for await (const batch of readHistoryBatches(path, options)) yield* batch;
}

/** Convenience for tests and small runs: the whole history in memory. */
export async function readHistoryArray(path: string, options: ReadHistoryOptions = {}): Promise<Attempt[]> {
  const out: Attempt[] = [];
  for await (const batch of readHistoryBatches(path, options)) for (const attempt of batch) out.push(attempt);
  return out;
}

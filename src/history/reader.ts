/**
 * Reads a history file (ours, or NDJSON written by real k6 with `--out json=FILE`; gzip when the name
 * ends in `.gz`, as both write it by default) back into Attempts. Only `http_req_duration` points become attempts; `dropped_iterations`
 * points are handed to `onDropped` (both engines write them); Metric lines and other metrics (vus,
 * http_reqs, checks...) are skipped.
 *
 * Lines are split on Buffer level from large reads (lines.ts); lines in our own encoder's exact shape
 * are decoded without JSON.parse (fast-decoder.ts), everything else — real k6 output, escaped
 * strings, malformed lines — goes through JSON.parse + decodeLine, which also produces the errors.
 * Attempts come out in arrays (readHistoryBatches): one await per thousand attempts rather than one
 * per attempt; readHistory hands them out one by one.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { constants as zlib, createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { InputError } from '../contract/errors.js';
import type { Attempt } from './attempt.js';
import type { ExpectedStatuses } from '../contract/stack-http.js';
import { decodeLine } from './codec.js';
import type { K6Line } from './codec.js';
import { OwnLineDecoder } from './fast-decoder.js';
import { lineEnd, lineSpans } from './lines.js';

export interface ReadHistoryOptions {
  /** Statuses meaning "definitely no effect", for samples that carry no `outcome` (plain k6 output). */
  expected?: ExpectedStatuses;
  /** Called with the value of each `dropped_iterations` point: demand the engine could not start. */
  onDropped?: (count: number) => void;
  /**
   * The file may end cut short (a re-check of a killed run): a gzip stream without its trailer is read
   * as far as it was flushed, and a last line without its LF is left out and reported here.
   */
  onTornTail?: () => void;
}

const READ_BYTES = 4 * 1024 * 1024;
/**
 * Attempts per batch: a read of the file holds thousands, and a batch stays alive until the caller
 * has taken it in, so smaller batches keep the young generation small (cheaper scavenges).
 */
const BATCH_ATTEMPTS = 1024;
const CR = 0x0d;
const LF = 0x0a;

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
    private readonly onDropped: ((count: number) => void) | undefined,
  ) {}

  /**
   * Decodes the lines of a span (lines.ts) from `from` until the batch is full or `end` is reached;
   * returns where it stopped (the start of a line, or past `end`). `anyCr`: some line holds a CR.
   */
  lines(bytes: Buffer, from: number, end: number, anyCr: boolean): number {
    let start = from;
    while (start < end && this.batch.length < BATCH_ATTEMPTS) {
      const to = lineEnd(bytes, start, end);
      if (anyCr) this.line(bytes, start, to);
      else this.decode(bytes, start, to);
      start = to + 1;
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
    if (attempt === undefined) {
      if (this.onDropped !== undefined) {
        const dropped = droppedCount(parsed);
        if (dropped > 0) this.onDropped(dropped);
      }
      return;
    }
    this.httpSamples++;
    this.batch.push(attempt);
  }
}

/** The value of a `dropped_iterations` point (1 per dropped iteration in k6 and ours), else 0. */
function droppedCount(line: K6Line): number {
  if (line.type !== 'Point' || line.metric !== 'dropped_iterations') return 0;
  const value = line.data?.value;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
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
  const { onTornTail } = options;
  const file = createReadStream(path, { highWaterMark: READ_BYTES });
  const source: Readable = path.endsWith('.gz')
    ? file.pipe(
        createGunzip({
          chunkSize: 1024 * 1024,
          // a killed writer's stream has no trailer: decompress what is there instead of failing
          ...(onTornTail === undefined ? {} : { finishFlush: zlib.Z_SYNC_FLUSH }),
        }),
      )
    : file;
  // a gzip error (not gzip, corrupt) would otherwise leave the read hanging
  file.on('error', (error) => source.destroy(error));
  const decoder = new HistoryDecoder(path, options.expected, options.onDropped);
  try {
    for await (const span of lineSpans(source as AsyncIterable<Buffer>)) {
      const { bytes, start } = span;
      let { end } = span;
      // only the stream's last span can end without an LF
      if (onTornTail !== undefined && end > start && bytes[end - 1] !== LF) {
        end = Math.max(start, bytes.lastIndexOf(LF, end - 1) + 1);
        onTornTail();
      }
      // the batch is empty here: each span's attempts are all handed out before the next one
      const cr = bytes.indexOf(CR, start);
      const anyCr = cr >= 0 && cr < end;
      for (let from = start; from < end;) {
        let failure: Error | undefined;
        try {
          from = decoder.lines(bytes, from, end, anyCr);
        } catch (error) {
          failure = error instanceof Error ? error : new Error(String(error));
        }
        // hand out what was decoded before a bad line, then fail on it
        if (decoder.batch.length > 0) yield decoder.take();
        if (failure !== undefined) throw failure;
      }
    }
  } catch (error) {
    throw gzipProblem(path, error) ?? error;
  } finally {
    source.destroy();
    file.destroy();
  }
}

/** A zlib error as an InputError that says what is wrong with the file, else undefined. */
function gzipProblem(path: string, error: unknown): InputError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('Z_')) return undefined;
  const truncated = code === 'Z_BUF_ERROR';
  return new InputError(
    'HISTORY_BAD_GZIP',
    truncated
      ? `${path}: the gzip stream ends cut short (no trailer): its writer died before closing it`
      : `${path}: not a readable gzip stream (${(error as Error).message})`,
    {
      cause: error,
      details: truncated
        ? ['`chaosbank report <run-dir>` re-checks a killed run from what its history flushed']
        : [
            'a history ending in .gz must be gzip (`zcat FILE | head` shows its lines); name plain text *.ndjson',
          ],
    },
  );
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

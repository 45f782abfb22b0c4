/**
 * Streams attempts to `history.ndjson.gz` (or plain `history.ndjson`: the file name decides, as with
 * k6's `--out json=FILE.gz`) as k6 JSON-output lines. Lines are gathered into chunks (flushed at
 * 64 KiB or every 200 ms, like k6's JSON output) and written through a file stream; when the stream
 * reports backpressure the writer keeps at most one pending chunk list and waits for `drain`, so
 * memory stays flat as long as the disk keeps up (see bench/load-soak.ts).
 *
 * gzip: zlib compresses on libuv's thread pool, off the event loop. Every 200 ms tick ends with a
 * Z_SYNC_FLUSH, so a killed run leaves a stream whose flushed lines all decompress (the reader's
 * `onTornTail` leaves out what follows); the full flush only at the tick keeps the ratio (~10x).
 */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { constants as zlib, createGzip } from 'node:zlib';
import type { Gzip } from 'node:zlib';
import { EnvironmentError } from '../contract/errors.js';
import type { Attempt } from './attempt.js';
import { encodeAttempt, encodeAttemptInto, encodeDropped, HISTORY_METRICS, metricLine } from './codec.js';

/** Lines are flushed once a chunk holds 64 KiB; the buffer has room for one more long line. */
const FLUSH_BYTES = 64 * 1024;
const CHUNK_BYTES = 80 * 1024;
const FLUSH_INTERVAL_MS = 200;
/** zlib's default level; bytes per attempt and CPU against plain text: bench/load.ts, docs/load.md. */
const GZIP_LEVEL = 6;

/** How a history is stored: gzip (`.ndjson.gz`, the default) or plain text (`.ndjson`). */
export type HistoryFormat = 'gzip' | 'plain';
export const HISTORY_FORMATS: readonly HistoryFormat[] = ['gzip', 'plain'];

/** The format a history file name stands for: `.gz` is gzip. */
export function historyFormatOf(path: string): HistoryFormat {
  return path.endsWith('.gz') ? 'gzip' : 'plain';
}

export interface AttemptSink {
  write(attempt: Attempt): void;
  dropped?(intendedMs: number, target: string): void;
}

export class HistoryWriter implements AttemptSink, AsyncDisposable {
  readonly path: string;
  readonly format: HistoryFormat;
  private readonly file: WriteStream;
  /** Where chunks go: the gzip stream (piped into the file) or the file itself. */
  private readonly stream: Writable;
  private readonly gzip: Gzip | undefined;
  /** Chunks were handed over since gzip's last sync flush. */
  private unsynced = false;
  /** A sync flush waits for the queued chunks to reach gzip. */
  private syncRequested = false;
  /** Lines are encoded straight into this buffer (no string concatenation, no conversion at flush). */
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private waitingForDrain = false;
  private pending: Buffer[] = [];
  private readonly timer: NodeJS.Timeout;
  private failure: Error | undefined;
  private closed = false;
  lines = 0;

  constructor(path: string) {
    this.path = path;
    this.format = historyFormatOf(path);
    this.file = createWriteStream(path, { flags: 'w', highWaterMark: 1024 * 1024 });
    const onError = (error: Error): void => {
      this.failure ??= error;
    };
    this.file.on('error', onError);
    if (this.format === 'gzip') {
      this.gzip = createGzip({ level: GZIP_LEVEL, chunkSize: 64 * 1024 });
      this.gzip.on('error', (error) => {
        onError(error);
        this.file.destroy();
      });
      this.gzip.pipe(this.file);
      this.file.on('error', () => this.gzip?.destroy());
      this.stream = this.gzip;
    } else {
      this.gzip = undefined;
      this.stream = this.file;
    }
    for (const metric of HISTORY_METRICS) this.append(metricLine(metric));
    this.timer = setInterval(() => this.tick(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  write(attempt: Attempt): void {
    this.checkOpen();
    this.lines++;
    let end = encodeAttemptInto(attempt, this.chunk, this.used);
    if (end < 0) {
      this.flush();
      end = encodeAttemptInto(attempt, this.chunk, 0);
      if (end < 0) {
        this.push(Buffer.from(`${encodeAttempt(attempt)}\n`, 'utf8')); // longer than a chunk
        return;
      }
    }
    this.used = end;
    this.endLine();
  }

  dropped(intendedMs: number, target: string): void {
    this.append(encodeDropped(intendedMs, target));
  }

  /** Bytes accepted but not yet handed to the OS (for memory checks). */
  get bufferedBytes(): number {
    const gzipped = this.gzip === undefined ? 0 : this.gzip.writableLength;
    return this.used + this.pending.reduce((n, c) => n + c.length, 0) + gzipped + this.file.writableLength;
  }

  /** Every FLUSH_INTERVAL_MS: hand the chunk over and, for gzip, make it decompressible on disk. */
  private tick(): void {
    this.flush();
    this.sync();
  }

  private append(line: string): void {
    this.checkOpen();
    this.lines++;
    // UTF-8 needs at most 3 bytes per UTF-16 code unit: check room without measuring the line.
    const room = line.length * 3 + 1;
    if (this.used + room > this.chunk.length) {
      this.flush();
      if (room > this.chunk.length) {
        this.push(Buffer.from(`${line}\n`, 'utf8'));
        return;
      }
    }
    this.used += this.chunk.write(line, this.used, 'utf8');
    this.endLine();
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`history ${this.path} is already closed`);
  }

  /** The newline after a line written into the chunk; flushes a full chunk. */
  private endLine(): void {
    this.chunk[this.used++] = 0x0a;
    if (this.used >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (this.used === 0) return;
    const full = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    this.push(full);
  }

  private push(data: Buffer): void {
    this.unsynced = true;
    if (this.waitingForDrain) this.pending.push(data);
    else this.send(data);
  }

  private send(data: Buffer): void {
    if (!this.stream.write(data)) {
      this.waitingForDrain = true;
      this.stream.once('drain', () => this.drained());
    }
  }

  /** Queued chunks go out in order, in one write; a sync flush asked for meanwhile follows them. */
  private drained(): void {
    this.waitingForDrain = false;
    const queued = this.pending;
    this.pending = [];
    if (queued.length > 0) this.send(Buffer.concat(queued));
    if (this.syncRequested) this.sync();
  }

  /** gzip: everything handed over so far becomes decompressible on disk (Z_SYNC_FLUSH). */
  private sync(): void {
    if (this.gzip === undefined || !this.unsynced || this.failure !== undefined) return;
    // chunks still queued here would land after the flush point: flush once they are in gzip
    if (this.pending.length > 0) {
      this.syncRequested = true;
      return;
    }
    this.syncRequested = false;
    this.unsynced = false;
    this.gzip.flush(zlib.Z_SYNC_FLUSH);
  }

  /** Flush everything and close the file; rejects with EnvironmentError when the disk write failed. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    this.flush();
    this.closed = true;
    const fileClosed = this.file.closed ? Promise.resolve() : once(this.file, 'close').catch(() => undefined);
    // a failed file never drains: wait for whichever comes first
    if (this.waitingForDrain)
      await Promise.race([once(this.stream, 'drain').catch(() => undefined), fileClosed]);
    if (this.pending.length > 0 && !this.stream.destroyed) this.stream.write(Buffer.concat(this.pending));
    this.pending = [];
    this.stream.end(); // gzip: its trailer, then the pipe ends the file
    await fileClosed;
    if (this.failure !== undefined)
      throw new EnvironmentError(
        'HISTORY_WRITE_FAILED',
        `could not write the history to ${this.path}: ${this.failure.message}`,
        {
          cause: this.failure,
          details: ['check that the report folder exists, is writable and that the disk is not full'],
        },
      );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

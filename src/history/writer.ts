/**
 * Streams attempts to `history.ndjson` as k6 JSON-output lines. Lines are gathered into chunks
 * (flushed at 64 KiB or every 200 ms, like k6's JSON output) and written through a file stream;
 * when the stream reports backpressure the writer keeps at most one pending chunk list and waits for
 * `drain`, so memory stays flat as long as the disk keeps up (see bench/load-soak.ts).
 */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { EnvironmentError } from '../contract/errors.js';
import type { Attempt } from './attempt.js';
import { encodeAttempt, encodeAttemptInto, encodeDropped, HISTORY_METRICS, metricLine } from './codec.js';

/** Lines are flushed once a chunk holds 64 KiB; the buffer has room for one more long line. */
const FLUSH_BYTES = 64 * 1024;
const CHUNK_BYTES = 80 * 1024;
const FLUSH_INTERVAL_MS = 200;

export interface AttemptSink {
  write(attempt: Attempt): void;
  dropped?(intendedMs: number, target: string): void;
}

export class HistoryWriter implements AttemptSink, AsyncDisposable {
  readonly path: string;
  private readonly stream: WriteStream;
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
    this.stream = createWriteStream(path, { flags: 'w', highWaterMark: 1024 * 1024 });
    this.stream.on('error', (error) => {
      this.failure ??= error;
    });
    for (const metric of HISTORY_METRICS) this.append(metricLine(metric));
    this.timer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
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
    return this.used + this.pending.reduce((n, c) => n + c.length, 0) + this.stream.writableLength;
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
    if (this.waitingForDrain) {
      this.pending.push(data);
      return;
    }
    if (!this.stream.write(data)) {
      this.waitingForDrain = true;
      this.stream.once('drain', () => {
        this.waitingForDrain = false;
        const queued = this.pending;
        this.pending = [];
        if (queued.length > 0 && !this.stream.write(Buffer.concat(queued))) {
          this.waitingForDrain = true;
          this.stream.once('drain', () => (this.waitingForDrain = false));
        }
      });
    }
  }

  /** Flush everything and close the file; rejects with EnvironmentError when the disk write failed. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    this.flush();
    this.closed = true;
    if (this.waitingForDrain) await once(this.stream, 'drain');
    if (this.pending.length > 0) this.stream.write(Buffer.concat(this.pending));
    this.pending = [];
    this.stream.end();
    if (!this.stream.closed) await once(this.stream, 'close').catch(() => undefined);
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

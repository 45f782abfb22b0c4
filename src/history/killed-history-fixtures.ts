/**
 * For tests (not part of the build): the gzip history a `kill -9` leaves. The real HistoryWriter
 * writes `first` and `second` with one flush tick after each (fake timers drive the tick); the file
 * as it was on disk after the second tick is then cut at `cut` bytes into what that tick added (the
 * process died while its compressed bytes were being written). No gzip trailer.
 */
import { copyFileSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { vi } from 'vitest';
import type { Attempt } from './attempt.js';
import { readHistoryArray } from './reader.js';
import { HistoryWriter } from './writer.js';

export interface KilledHistory {
  /** The file as it was after the first tick: every attempt of `first`, complete. */
  firstFlushBytes: number;
  /** The file as it was after the second tick, before the cut. */
  secondFlushBytes: number;
  /** The bytes on disk after the second tick (cut them anywhere to simulate a kill). */
  bytes: Buffer;
}

const FLUSH_TICK_MS = 200;

/** Writes through the real writer and returns what was on disk after each flush tick. */
export async function killedGzipHistory(
  path: string,
  first: readonly Attempt[],
  second: readonly Attempt[],
): Promise<KilledHistory> {
  const live = `${path}.live.gz`;
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  const writer = new HistoryWriter(live);
  try {
    const flushed = async (count: number): Promise<void> => {
      vi.advanceTimersByTime(FLUSH_TICK_MS);
      // (waitFor advances the fake clock too: later ticks find nothing new to flush)
      await vi.waitFor(
        async () => {
          copyFileSync(live, path);
          const read = await readHistoryArray(path, { onTornTail: () => undefined });
          if (read.length !== count) throw new Error(`${read.length} of ${count} attempts on disk`);
        },
        { timeout: 5000, interval: 5 },
      );
    };
    for (const attempt of first) writer.write(attempt);
    await flushed(first.length);
    const firstFlushBytes = statSync(live).size;
    for (const attempt of second) writer.write(attempt);
    await flushed(first.length + second.length);
    const bytes = readFileSync(live);
    return { firstFlushBytes, secondFlushBytes: bytes.length, bytes };
  } finally {
    vi.useRealTimers();
    await writer.close();
    rmSync(live, { force: true });
  }
}

/** Writes the killed history cut at `length` bytes to `path`. */
export function writeCut(path: string, killed: KilledHistory, length: number): void {
  writeFileSync(path, killed.bytes.subarray(0, length));
}

/**
 * Reads a history file (ours, or NDJSON written by real k6 with `--out json=FILE`, optionally
 * gzipped) back into Attempts. Only `http_req_duration` points become attempts; Metric lines and
 * other metrics (vus, http_reqs, dropped_iterations, checks...) are skipped.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import type { Attempt, ExpectedStatuses } from './attempt.js';
import { decodeLine } from './history-codec.js';
import type { K6Line } from './history-codec.js';

export interface ReadHistoryOptions {
  /** Statuses meaning "definitely no effect", for samples that carry no `outcome` (plain k6 output). */
  expected?: ExpectedStatuses;
}

export async function* readHistory(path: string, options: ReadHistoryOptions = {}): AsyncIterable<Attempt> {
  try {
    await access(path);
  } catch (cause) {
    throw new InputError('HISTORY_NOT_FOUND', `history file not found: ${path}`, { cause });
  }
  const file = createReadStream(path);
  const source: Readable = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  let lineNumber = 0;
  let httpSamples = 0;
  try {
    for await (const text of lines) {
      lineNumber++;
      if (text.trim() === '') continue;
      let parsed: K6Line;
      try {
        parsed = JSON.parse(text) as K6Line;
      } catch (cause) {
        throw new InputError('HISTORY_BAD_LINE', `${path}:${lineNumber}: not a JSON line`, {
          cause,
          details: ['a history is NDJSON as written by `k6 run --out json=FILE` or by chaosbank'],
        });
      }
      let attempt: Attempt | undefined;
      try {
        attempt = decodeLine(parsed, httpSamples, options.expected);
      } catch (cause) {
        throw new InputError(
          'HISTORY_BAD_POINT',
          `${path}:${lineNumber}: ${cause instanceof Error ? cause.message : String(cause)}`,
          { cause },
        );
      }
      if (attempt === undefined) continue;
      httpSamples++;
      yield attempt;
    }
  } finally {
    lines.close();
    file.destroy();
  }
}

/** Convenience for tests and small runs: the whole history in memory. */
export async function readHistoryArray(path: string, options: ReadHistoryOptions = {}): Promise<Attempt[]> {
  const out: Attempt[] = [];
  for await (const attempt of readHistory(path, options)) out.push(attempt);
  return out;
}

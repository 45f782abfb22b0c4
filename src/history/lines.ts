/**
 * The one line splitter of chaosbank's NDJSON files (histories, ledger exports, events): lines cut on
 * Buffer level from large reads, no string made until a caller asks for one. A line cut by a read
 * boundary comes out in a span of its own, joined from its pieces; the rest of a read is never copied.
 * `readLines` / `readLineBatches` number the lines (1-based, as readline does) and skip blank ones.
 */
import { createReadStream } from 'node:fs';

export interface NumberedLine {
  text: string;
  line: number;
}

/** The non-blank lines of one read, as byte ranges of `bytes` (without the LF). */
export interface LineBatch {
  bytes: Buffer;
  starts: number[];
  ends: number[];
  /** 1-based line numbers. */
  lines: number[];
}

/**
 * Whole lines of a stream: within bytes [start, end) every line ends with an LF, except that the last
 * span of the stream may end without one. Walk it with `lineEnd`.
 */
export interface LineSpan {
  bytes: Buffer;
  start: number;
  end: number;
}

const READ_BYTES = 4 * 1024 * 1024;
const LF = 0x0a;

/** Where the line starting at `from` ends within a span: at its LF, or at the span's end. */
export function lineEnd(bytes: Buffer, from: number, end: number): number {
  const nl = bytes.indexOf(LF, from);
  return nl < 0 || nl >= end ? end : nl;
}

/** A stream of reads -> spans of whole lines. */
export async function* lineSpans(reads: AsyncIterable<Buffer>): AsyncGenerator<LineSpan> {
  /** The start of a line that continues in the next read. */
  let rest: Buffer | undefined;
  for await (const bytes of reads) {
    let start = 0;
    if (rest !== undefined) {
      const nl = bytes.indexOf(LF);
      if (nl < 0) {
        rest = Buffer.concat([rest, bytes]);
        continue;
      }
      const joined = Buffer.concat([rest, bytes.subarray(0, nl + 1)]);
      rest = undefined;
      yield { bytes: joined, start: 0, end: joined.length };
      start = nl + 1;
    }
    const last = bytes.lastIndexOf(LF);
    if (last >= start) {
      yield { bytes, start, end: last + 1 };
      start = last + 1;
    }
    // a copy: the tail must not keep the whole read alive
    if (start < bytes.length) rest = Buffer.from(bytes.subarray(start));
  }
  if (rest !== undefined && rest.length > 0) yield { bytes: rest, start: 0, end: rest.length };
}

function isBlank(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0b && b !== 0x0c) {
      // anything else, including non-ASCII whitespace, is decided by String.prototype.trim
      return b < 0x80 ? false : bytes.toString('utf8', start, end).trim() === '';
    }
  }
  return true;
}

/** The non-blank lines of a file, numbered, one batch per span. */
export async function* readLineBatches(path: string): AsyncGenerator<LineBatch> {
  let line = 0;
  const file = createReadStream(path, { highWaterMark: READ_BYTES });
  try {
    for await (const { bytes, start, end } of lineSpans(file as AsyncIterable<Buffer>)) {
      const batch: LineBatch = { bytes, starts: [], ends: [], lines: [] };
      for (let from = start; from < end;) {
        const to = lineEnd(bytes, from, end);
        line++;
        if (!isBlank(bytes, from, to)) {
          batch.starts.push(from);
          batch.ends.push(to);
          batch.lines.push(line);
        }
        from = to + 1;
      }
      if (batch.lines.length > 0) yield batch;
    }
  } finally {
    file.destroy();
  }
}

export async function* readLines(path: string): AsyncGenerator<NumberedLine> {
  for await (const { bytes, starts, ends, lines } of readLineBatches(path)) {
    for (let i = 0; i < lines.length; i++) {
      yield { text: bytes.toString('utf8', starts[i], ends[i]), line: lines[i]! };
    }
  }
}

/** Stream the lines of a (possibly huge) text file with their 1-based line numbers; blank lines skipped. */
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

const READ_BYTES = 4 * 1024 * 1024;
const LF = 0x0a;

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

/**
 * Lines split on Buffer level from large reads: no string is made until the caller asks for one.
 * A line cut by a read boundary comes out on its own, joined from its two pieces; the rest of the
 * read is never copied.
 */
export async function* readLineBatches(path: string): AsyncGenerator<LineBatch> {
  let line = 0;
  /** The start of a line that continues in the next read. */
  let rest: Buffer | undefined;
  const file = createReadStream(path, { highWaterMark: READ_BYTES });
  try {
    for await (const bytes of file as AsyncIterable<Buffer>) {
      let start = 0;
      if (rest !== undefined) {
        const nl = bytes.indexOf(LF);
        if (nl < 0) {
          rest = Buffer.concat([rest, bytes]);
          continue;
        }
        const joined = Buffer.concat([rest, bytes.subarray(0, nl)]);
        rest = undefined;
        line++;
        if (!isBlank(joined, 0, joined.length))
          yield { bytes: joined, starts: [0], ends: [joined.length], lines: [line] };
        start = nl + 1;
      }
      const batch: LineBatch = { bytes, starts: [], ends: [], lines: [] };
      for (let nl = bytes.indexOf(LF, start); nl >= 0; nl = bytes.indexOf(LF, start)) {
        line++;
        if (!isBlank(bytes, start, nl)) {
          batch.starts.push(start);
          batch.ends.push(nl);
          batch.lines.push(line);
        }
        start = nl + 1;
      }
      if (start < bytes.length) rest = bytes.subarray(start);
      if (batch.lines.length > 0) yield batch;
    }
    if (rest !== undefined && !isBlank(rest, 0, rest.length)) {
      yield { bytes: rest, starts: [0], ends: [rest.length], lines: [line + 1] };
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

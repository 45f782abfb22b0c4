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

/** Lines split on Buffer level from large reads: no string is made until the caller asks for one. */
export async function* readLineBatches(path: string): AsyncGenerator<LineBatch> {
  let line = 0;
  let rest: Buffer | undefined;
  const file = createReadStream(path, { highWaterMark: READ_BYTES });
  try {
    for await (const read of file as AsyncIterable<Buffer>) {
      let bytes = read;
      if (rest !== undefined) {
        bytes = Buffer.concat([rest, read]);
        rest = undefined;
      }
      const batch: LineBatch = { bytes, starts: [], ends: [], lines: [] };
      let start = 0;
      for (let nl = bytes.indexOf(LF); nl >= 0; nl = bytes.indexOf(LF, start)) {
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

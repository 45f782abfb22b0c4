/** Stream the lines of a (possibly huge) text file with their 1-based line numbers; blank lines skipped. */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export interface NumberedLine {
  text: string;
  line: number;
}

export async function* readLines(path: string): AsyncGenerator<NumberedLine> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let line = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const text = rest + decoder.write(chunk as Buffer);
    let from = 0;
    for (let nl = text.indexOf('\n', from); nl >= 0; nl = text.indexOf('\n', from)) {
      line++;
      const raw = text.slice(from, nl);
      from = nl + 1;
      if (raw.trim() !== '') yield { text: raw, line };
    }
    rest = text.slice(from);
  }
  rest += decoder.end();
  if (rest.trim() !== '') yield { text: rest, line: line + 1 };
}

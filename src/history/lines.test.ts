import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLines } from './lines.js';

const dir = mkdtempSync(join(tmpdir(), 'chaosbank-ndjson-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(text: string): Promise<{ text: string; line: number }[]> {
  const path = join(dir, 'lines.ndjson');
  writeFileSync(path, text);
  const out: { text: string; line: number }[] = [];
  for await (const line of readLines(path)) out.push(line);
  return out;
}

/** What readLines should give: every non-blank line with its 1-based number. */
function expected(text: string): { text: string; line: number }[] {
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  return lines.map((t, i) => ({ text: t, line: i + 1 })).filter((l) => l.text.trim() !== '');
}

describe('readLines', () => {
  it('numbers lines across read boundaries, including a line longer than two reads, blank lines and no final LF', async () => {
    const lines: string[] = [];
    let length = 0; // of lines.join('\n')
    const add = (...more: string[]): void => {
      for (const line of more) length += (lines.length > 0 ? 1 : 0) + line.length;
      lines.push(...more);
    };
    for (let i = 0; length < 9 * 2 ** 20; i++) {
      add(i % 97 === 0 ? '   ' : `{"n":${i},"pad":"${'x'.repeat(i % 500)}"}`);
      if (i === 5000) add(`{"long":"${'y'.repeat(9 * 2 ** 20)}"}`, '', 'é€ \u00a0');
    }
    const text = lines.join('\n');
    expect(await read(text)).toEqual(expected(text));
    expect(await read(`${text}\n`)).toEqual(expected(`${text}\n`));
  });

  it('reads empty and blank-only files as no lines', async () => {
    expect(await read('')).toEqual([]);
    expect(await read('\n \n\t\n')).toEqual([]);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../contract/errors.js';
import { createCheckAccumulator } from './accumulator.js';
import { makeLedger } from './fixtures.js';
import type { ExportLine } from '../contract/ledger-export.js';
import { readLedgerExport } from './ledger-reader.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaosbank-ledger-reader-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ledger = (cutShort = false) =>
  makeLedger({
    region: 'us-east',
    accounts: ['a', 'b'],
    funding: 100,
    currency: 'USD',
    transfers: [{ id: 't1', key: 'k1', from: 'a', to: 'b', amount: 5 }],
    cutShort,
  });

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function readAll(path: string): Promise<{ lines: ExportLine[]; complete: boolean }> {
  const reader = readLedgerExport(path);
  const lines: ExportLine[] = [];
  for await (const line of reader) lines.push(line);
  return { lines, complete: reader.complete };
}

describe('readLedgerExport', () => {
  it('streams every line of a complete export (blank lines and a missing final newline are fine)', async () => {
    const lines = ledger();
    const path = await write('ok.ndjson', `${lines.map((l) => JSON.stringify(l)).join('\n\n')}`);
    const read = await readAll(path);
    expect(read.lines).toEqual(lines);
    expect(read.complete).toBe(true);
  });

  it('flags an export cut short (no end line), and the convergence checker reports it', async () => {
    const path = await write(
      'cut.ndjson',
      `${ledger(true)
        .map((l) => JSON.stringify(l))
        .join('\n')}\n`,
    );
    const reader = readLedgerExport(path);
    const acc = createCheckAccumulator({
      accounts: { count: 2, funding: 100, currency: 'USD' },
      authoritativeRegion: 'us-east',
    });
    for await (const line of reader) acc.addLedgerLine('us-east', line);
    expect(reader.complete).toBe(false);
    const verdict = acc.finish();
    const convergence = verdict.checkers.find((c) => c.name === 'convergence')!;
    expect(convergence.passed).toBe(false);
    expect(convergence.anomalies[0]!.examples[0]!.message).toMatch(
      /no end line: it was cut short after 2 transactions/,
    );
  });

  it('names file:line for a malformed line', async () => {
    const good = ledger().map((l) => JSON.stringify(l));
    const path = await write(
      'bad.ndjson',
      [good[0], good[1], '{"type":"account","id":"x"', ...good.slice(2)].join('\n'),
    );
    const error = await readAll(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('LEDGER_EXPORT_MALFORMED');
    expect((error as Error).message).toBe(`${path}:3: not valid JSON`);
  });

  it('rejects lines of the wrong shape and lines after the end line', async () => {
    const wrongType = await write('type.ndjson', '{"type":"entry"}\n');
    await expect(readAll(wrongType)).rejects.toThrow(`${wrongType}:1: unknown line type "entry"`);
    const badEntry = await write(
      'entry.ndjson',
      '{"type":"transaction","id":"t","idempotency_key":"k","created_at":"x","entries":[{"account":"a","amount":"5","currency":"USD"}]}\n',
    );
    await expect(readAll(badEntry)).rejects.toThrow(/entry.ndjson:1: transaction t: each entry needs/);
    const after = await write(
      'after.ndjson',
      `${ledger()
        .map((l) => JSON.stringify(l))
        .join('\n')}\n{"type":"end"}\n`,
    );
    await expect(readAll(after)).rejects.toThrow(/after.ndjson:7: a line follows the end line/);
  });

  it('a missing file is an InputError, not a stack trace', async () => {
    const error = await readAll(join(dir, 'nope.ndjson')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('LEDGER_EXPORT_UNREADABLE');
  });
});

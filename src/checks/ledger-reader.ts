/**
 * `readLedgerExport(path)`: stream a ledger export (NDJSON, ledger-export.ts) line by line, or in
 * batches of lines for large exports. Malformed lines raise an InputError naming file:line; a missing
 * `end` line (export cut short) is not an error here but a flag, `complete === false`, which the
 * convergence checker also reports.
 */
import { stat } from 'node:fs/promises';
import { InputError } from '../contract/errors.js';
import type { ExportEnd, ExportLine } from '../contract/ledger-export.js';
import { TransactionLineParser } from './ledger-line-parser.js';
import { readLineBatches } from '../history/lines.js';

export interface LedgerExportReader extends AsyncIterable<ExportLine> {
  /** After iteration: true when the export ended with its `end` line. */
  readonly complete: boolean;
  /** The `end` line, once read. */
  readonly end: ExportEnd | undefined;
  /** The same lines in arrays of up to BATCH_LINES: one await per batch rather than one per line. */
  batches(): AsyncIterable<ExportLine[]>;
}

/** Small enough that a batch dies young (cheap scavenges), large enough that awaits do not matter. */
const BATCH_LINES = 1024;

export function readLedgerExport(path: string): LedgerExportReader {
  const state: { end: ExportEnd | undefined } = { end: undefined };

  async function* batches(): AsyncGenerator<ExportLine[]> {
    await stat(path).catch((cause: unknown) => {
      throw new InputError('LEDGER_EXPORT_UNREADABLE', `cannot read ledger export ${path}`, { cause });
    });
    const transactions = new TransactionLineParser();
    let batch: ExportLine[] = [];
    for await (const { bytes, starts, ends, lines } of readLineBatches(path)) {
      for (let i = 0; i < lines.length; i++) {
        let parsed: ExportLine;
        try {
          if (state.end !== undefined) {
            throw new InputError(
              'LEDGER_EXPORT_MALFORMED',
              `${path}:${lines[i]}: a line follows the end line`,
              {
                details: ['The end line must be the last line of a ledger export.'],
              },
            );
          }
          // transactions in the usual shape without JSON.parse; anything else the general way
          parsed =
            transactions.parse(bytes, starts[i]!, ends[i]!) ??
            parseExportLine(bytes.toString('utf8', starts[i], ends[i]), `${path}:${lines[i]}`);
        } catch (error) {
          // hand out the lines before the bad one, then fail on it
          if (batch.length > 0) yield batch;
          throw error;
        }
        if (parsed.type === 'end') state.end = parsed;
        batch.push(parsed);
        if (batch.length === BATCH_LINES) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length > 0) yield batch;
  }

  return {
    get complete() {
      return state.end !== undefined;
    },
    get end() {
      return state.end;
    },
    batches,
    async *[Symbol.asyncIterator]() {
      for await (const batch of batches()) yield* batch;
    },
  };
}

/** Parse and shape-check one export line; `where` is `file:line` for the error. */
export function parseExportLine(text: string, where: string): ExportLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InputError('LEDGER_EXPORT_MALFORMED', `${where}: not valid JSON`, {
      cause,
      details: [`line starts with: ${text.slice(0, 80)}`],
    });
  }
  const problem = shapeProblem(value);
  if (problem !== undefined) {
    throw new InputError('LEDGER_EXPORT_MALFORMED', `${where}: ${problem}`, {
      details: [
        'Each line is {"type":"account"|"transaction"|"end", ...} (see src/checks/ledger-export.ts).',
      ],
    });
  }
  return value as ExportLine;
}

function shapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected a JSON object';
  const v = value as Record<string, unknown>;
  switch (v['type']) {
    case 'account':
      if (typeof v['id'] !== 'string') return 'account line without a string `id`';
      if (typeof v['currency'] !== 'string') return `account ${v['id']} without a string \`currency\``;
      if (typeof v['balance'] !== 'number') return `account ${v['id']} without a numeric \`balance\``;
      return undefined;
    case 'transaction': {
      if (typeof v['id'] !== 'string') return 'transaction line without a string `id`';
      const key = v['idempotency_key'];
      if (key !== null && typeof key !== 'string')
        return `transaction ${v['id']}: \`idempotency_key\` must be a string or null`;
      if (typeof v['created_at'] !== 'string')
        return `transaction ${v['id']} without a string \`created_at\``;
      const entries = v['entries'];
      if (!Array.isArray(entries)) return `transaction ${v['id']} without an \`entries\` array`;
      for (const e of entries as unknown[]) {
        const entry = e as Record<string, unknown> | null;
        if (
          typeof entry !== 'object' ||
          entry === null ||
          typeof entry['account'] !== 'string' ||
          typeof entry['amount'] !== 'number' ||
          typeof entry['currency'] !== 'string'
        ) {
          return `transaction ${v['id']}: each entry needs {account: string, amount: number, currency: string}`;
        }
      }
      return undefined;
    }
    case 'end':
      if (typeof v['region'] !== 'string') return 'end line without a string `region`';
      if (v['role'] !== 'primary' && v['role'] !== 'standby' && v['role'] !== 'fenced') {
        return 'end line `role` must be primary, standby or fenced';
      }
      return undefined;
    default:
      return `unknown line type ${JSON.stringify(v['type'])} (expected account, transaction or end)`;
  }
}

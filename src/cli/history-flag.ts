/** `--history gzip|plain` of `run` and `drill`: how the attempt history is stored. */
import { InputError } from '../contract/errors.js';
import { HISTORY_FORMATS } from '../history/writer.js';
import type { HistoryFormat } from '../history/writer.js';

export const HISTORY_FLAG_HELP =
  'how the history is stored: gzip (history.ndjson.gz, default; zcat reads it) or plain (history.ndjson)';

export function parseHistoryFlag(text: string | undefined): HistoryFormat | undefined {
  if (text === undefined) return undefined;
  const format = HISTORY_FORMATS.find((f) => f === text);
  if (format === undefined)
    throw new InputError('BAD_FLAG', `--history must be gzip or plain, got "${text}"`, {
      details: ['e.g. --history plain for a history you can read with less or grep'],
    });
  return format;
}

/** Reading a run's report.json back (for `chaosbank report`), with clear errors for what is not one. */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../contract/errors.js';
import { REPORT_SCHEMA_VERSION, type RunReport } from '../run/run-report.js';

/** `dir` is a run folder (holding report.json) or a report.json file itself. */
export async function loadRunReport(
  dirOrFile: string,
): Promise<{ report: RunReport; dir: string; file: string }> {
  let file = dirOrFile;
  let dir = dirOrFile;
  const info = await stat(dirOrFile).catch((cause: unknown) => {
    throw new InputError('REPORT_NOT_FOUND', `no run folder or report at ${dirOrFile}`, {
      cause,
      details: ['give a run folder such as reports/<run-id>/ (it holds report.json)'],
    });
  });
  if (info.isDirectory()) file = join(dirOrFile, 'report.json');
  else dir = join(dirOrFile, '..');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new InputError('REPORT_NOT_FOUND', `${dirOrFile} holds no report.json`, {
      cause,
      details: ['a run folder is written by `chaosbank run` (default reports/<run-id>/)'],
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new InputError('REPORT_INVALID', `${file} is not valid JSON`, { cause });
  }
  const report = parsed as Partial<RunReport>;
  if (
    typeof report !== 'object' ||
    report === null ||
    report.run === undefined ||
    report.schemaVersion === undefined
  )
    throw new InputError('REPORT_INVALID', `${file} is not a chaosbank run report`);
  const version: unknown = report.schemaVersion;
  if (version !== REPORT_SCHEMA_VERSION)
    throw new InputError(
      'REPORT_VERSION',
      `${file} has report schema version ${JSON.stringify(version)}; this chaosbank reads version ${REPORT_SCHEMA_VERSION}`,
      { details: ['re-render it with the chaosbank version that wrote it'] },
    );
  return { report: report as RunReport, dir, file };
}

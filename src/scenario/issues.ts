/**
 * One problem found in a scenario file, located in the source: the shape every loader, semantic
 * check and the `validate` command share.
 */
export interface ScenarioIssue {
  /** Dotted path of the offending key, e.g. `load.retry.attempts` or `faults.1.target.region`; `` for the file. */
  path: string;
  message: string;
  file: string;
  /** 1-based position in the file; 0 when the issue is about the whole file (missing, unreadable). */
  line: number;
  col: number;
  /** The offending value as written in the file, quoted. */
  value?: string;
  /** A correct example for this key, as a one-line YAML snippet. */
  example?: string;
}

export type IssueSeverity = 'error' | 'warning';

/** `file:line:col: path: message (got `value`; e.g. `example`)`. */
export function formatIssue(issue: ScenarioIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.col}` : issue.file;
  const path = issue.path === '' ? '' : `${issue.path}: `;
  const extras: string[] = [];
  if (issue.value !== undefined) extras.push(`got ${issue.value}`);
  if (issue.example !== undefined) extras.push(`e.g. \`${issue.example}\``);
  const tail = extras.length > 0 ? ` (${extras.join('; ')})` : '';
  return `${where}: ${path}${issue.message}${tail}`;
}

export const dottedPath = (path: readonly PropertyKey[]): string => path.map(String).join('.');

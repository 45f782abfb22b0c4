import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ExitCode } from './errors.js';

/** The rows of the code table in docs/errors.md: `| \`CODE\` | exit | when |`. */
function documentedCodes(): Map<string, { exitCode: number; when: string }> {
  const rows = new Map<string, { exitCode: number; when: string }>();
  for (const line of readFileSync('docs/errors.md', 'utf8').split('\n')) {
    const match = /^\|\s*`([A-Z0-9_]+)`\s*\|\s*(\d+)\s*\|\s*(.+?)\s*\|$/.exec(line);
    if (match) rows.set(match[1]!, { exitCode: Number(match[2]), when: match[3]! });
  }
  return rows;
}

describe('error codes', () => {
  it('docs/errors.md lists every code with its exit code, and no other', () => {
    const documented = documentedCodes();
    const table = Object.entries(ERROR_CODES).map(([code, { exitCode, when }]) => [code, { exitCode, when }]);
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(table));
  });

  it('every code exits with a documented exit code, bad input 2 and environment 3', () => {
    const exits = new Set<number>(Object.values(ExitCode));
    for (const { exitCode } of Object.values(ERROR_CODES)) expect(exits.has(exitCode)).toBe(true);
  });
});

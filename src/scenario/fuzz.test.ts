/**
 * Property-based fuzzing: no input, however broken, makes the loader throw; it always answers with a
 * validation result, and every issue is located in the file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseScenario, type LoadResult } from './load.js';

const scenariosDir = new URL('../../scenarios/', import.meta.url);
const validScenarios = readdirSync(scenariosDir)
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => parse(readFileSync(new URL(name, scenariosDir), 'utf8')) as unknown);

function assertWellFormed(result: LoadResult, text: string): void {
  expect(result.value === undefined).toBe(result.errors.length > 0);
  const lineCount = text.split(/\r\n|\r|\n/).length;
  for (const issue of [...result.errors, ...result.warnings]) {
    expect(issue.file).toBe('fuzz.yaml');
    expect(issue.line).toBeGreaterThanOrEqual(1);
    expect(issue.line).toBeLessThanOrEqual(lineCount + 1);
    expect(issue.col).toBeGreaterThanOrEqual(1);
    expect(typeof issue.message).toBe('string');
  }
}

const yamlToken = fc.constantFrom(
  'metadata:',
  'load:',
  'faults:',
  'gates:',
  'topology:',
  'name: x',
  'rate: 100',
  'duration: 30s',
  'at: 10s',
  'kind: region-outage',
  'target:',
  'region: us-east',
  '- ',
  '  ',
  '    ',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '&a ',
  '*a',
  '!!str ',
  '!!binary ',
  '? ',
  '|',
  '>',
  '#',
  '"',
  "'",
  '---',
  '...',
  '~',
  'null',
  'true',
  '-1',
  '1e999',
  '0x1F',
  '\t',
  '%YAML 1.2',
  '<<: *a',
  'mttr_s < 30',
  '\u0000',
  '\uFEFF',
  '😀',
);
const yamlish = fc
  .array(
    fc.array(yamlToken, { maxLength: 8 }).map((t) => t.join('')),
    { maxLength: 25 },
  )
  .map((lines) => lines.join('\n'));

type Json = unknown;
/** A random edit somewhere inside a parsed scenario: replace, delete, or add a key. */
function mutate(value: Json, path: number[], replacement: Json, newKey: string, action: number): Json {
  if (value === null || typeof value !== 'object' || path.length === 0) return replacement;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  if (entries.length === 0) return replacement;
  const index = path[0]! % entries.length;
  const [key, child] = entries[index]!;
  const copy: Record<string, Json> | Json[] = Array.isArray(value)
    ? [...(value as Json[])]
    : { ...(value as Record<string, Json>) };
  const target = copy as Record<string, Json>;
  if (path.length === 1 && action === 0) delete target[key];
  else if (path.length === 1 && action === 1) target[newKey] = replacement;
  else target[key] = mutate(child, path.slice(1), replacement, newKey, action);
  return copy;
}

describe('the loader under fuzzing', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        assertWellFormed(parseScenario(text, 'fuzz.yaml'), text);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on YAML-ish text', () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        assertWellFormed(parseScenario(text, 'fuzz.yaml'), text);
      }),
      { numRuns: 400 },
    );
  });

  it('never throws on random mutations of the shipped scenarios', () => {
    expect(validScenarios.length).toBeGreaterThanOrEqual(5);
    fc.assert(
      fc.property(
        fc.constantFrom(...validScenarios),
        fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
        fc.jsonValue({ maxDepth: 2 }),
        fc.string({ maxLength: 12 }),
        fc.nat(2),
        (scenario, path, replacement, newKey, action) => {
          const text = stringify(mutate(scenario, path, replacement, newKey, action));
          assertWellFormed(parseScenario(text, 'fuzz.yaml'), text);
        },
      ),
      { numRuns: 400 },
    );
  });
});

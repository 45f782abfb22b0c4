import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { EXAMPLE_SCENARIO } from './example.js';
import { parseScenario } from './load.js';
import { knownKeysAt } from './schema-walk.js';

function keyPaths(prefix: (string | number)[] = []): (string | number)[][] {
  return knownKeysAt(prefix).flatMap((key) => {
    const path = [...prefix, key];
    const nested =
      knownKeysAt(path).length > 0 ? path : knownKeysAt([...path, 0]).length > 0 ? [...path, 0] : undefined;
    return [path, ...(nested ? keyPaths(nested) : [])];
  });
}

describe('EXAMPLE_SCENARIO', () => {
  it('sets every key of the schema, so every key has an example in error messages', () => {
    const missing = keyPaths().filter((path) => {
      let value: unknown = EXAMPLE_SCENARIO;
      for (const segment of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[segment];
      return value === undefined;
    });
    expect(missing.map((p) => p.join('.'))).toEqual([]);
    expect(keyPaths().length).toBeGreaterThan(60);
  });

  it('passes the schema (its semantic contradictions are deliberate: it sets every key at once)', () => {
    const { errors } = parseScenario(stringify(EXAMPLE_SCENARIO), 'example.yaml');
    // Only cross-field errors: schema errors would mean a wrong example.
    for (const error of errors)
      expect(error.path).toMatch(
        /^(load\.stages|load\.duration|faults\.0\.(target|until|params)|topology\.stack)/,
      );
  });
});

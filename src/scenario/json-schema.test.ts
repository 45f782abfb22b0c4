import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildScenarioJsonSchema } from './json-schema.js';

const committed = new URL('../../scenarios/schema.json', import.meta.url);

describe('scenarios/schema.json', () => {
  it('matches the zod schema (regenerate: npm run build && node dist/src/scenario/write-schema.js)', () => {
    const onDisk = JSON.parse(readFileSync(committed, 'utf8')) as unknown;
    expect(onDisk).toEqual(buildScenarioJsonSchema());
  });

  it('is strict, so editors flag unknown keys too', () => {
    const schema = buildScenarioJsonSchema() as {
      additionalProperties?: boolean;
      required?: string[];
      properties: Record<string, { additionalProperties?: boolean }>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['metadata', 'load']);
    expect(schema.properties.load?.additionalProperties).toBe(false);
  });
});

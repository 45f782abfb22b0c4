/** The JSON Schema of scenario files (for editors), generated from the zod schema. */
import { z } from 'zod';
import { scenarioSchema } from './schema.js';

export const SCHEMA_ID = 'https://chaosbank.dev/schemas/scenario-v1.json';

export function buildScenarioJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' });
  return {
    ...generated,
    $id: SCHEMA_ID,
    title: 'chaosbank scenario',
    description: 'A chaosbank scenario: topology, load, faults on a timeline, gates. See docs/scenarios.md.',
  };
}

export function renderScenarioJsonSchema(): string {
  return `${JSON.stringify(buildScenarioJsonSchema(), null, 2)}\n`;
}

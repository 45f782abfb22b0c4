/**
 * `node dist/src/scenario/write-schema.js`: regenerates scenarios/schema.json from the zod schema.
 * A test fails when the committed file drifts from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderScenarioJsonSchema } from './json-schema.js';

const target = fileURLToPath(new URL('../../../scenarios/schema.json', import.meta.url));
writeFileSync(target, renderScenarioJsonSchema());
process.stdout.write(`wrote ${target}\n`);

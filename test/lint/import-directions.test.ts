/**
 * The import-direction lint rule against planted violations: a file tree shaped like the project
 * (test/lint/fixtures/src/...) linted with the rule and the layer table the project uses.
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { importDirectionsPlugin } from '../../eslint/import-directions.js';

const fixtures = join(import.meta.dirname, 'fixtures');

async function lintFixtures(): Promise<Record<string, string[]>> {
  const eslint = new ESLint({
    cwd: fixtures,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { chaosbank: importDirectionsPlugin },
        rules: { 'chaosbank/import-directions': ['error', { root: fixtures }] },
      },
    ],
  });
  const results = await eslint.lintFiles(['src/**/*.ts']);
  return Object.fromEntries(
    results.map((r) => [r.filePath.slice(fixtures.length + 1), r.messages.map((m) => m.message)]),
  );
}

describe('import-directions lint rule (planted violations)', () => {
  it('fails an upward import, fails a sideways import, passes a downward one', async () => {
    expect(await lintFixtures()).toEqual({
      'src/contract/names.ts': [],
      'src/contract/planted-violation.ts': [
        'src/contract may not import src/run: src/run is a higher layer (import directions: README "Layout").',
      ],
      'src/faults/sideways.ts': [
        'src/faults may not import src/load: both sit on one layer (import directions: README "Layout").',
      ],
      'src/load/engine.ts': [],
      'src/run/pipeline.ts': [],
    });
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../checks/metrics-catalog.js';
import { SEEDED_BUGS } from '../contract/seeded-bugs.js';
import { FAULT_KINDS } from '../faults/spec.js';
import { knownKeysAt } from './schema-walk.js';

const docs = readFileSync(new URL('../../docs/scenarios.md', import.meta.url), 'utf8');

describe('docs/scenarios.md', () => {
  it.each([
    ['metric', METRIC_NAMES],
    ['fault kind', FAULT_KINDS],
    ['seeded bug', SEEDED_BUGS],
    ['top-level key', knownKeysAt([])],
    ['load key', knownKeysAt(['load'])],
    ['fault key', knownKeysAt(['faults', 0])],
  ] as const)('documents every %s', (_what, names) => {
    const missing = names.filter((name) => !docs.includes(`\`${name}\``) && !docs.includes(`\`${name}.`));
    expect(missing).toEqual([]);
  });
});

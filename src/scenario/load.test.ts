import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../contract/errors.js';
import {
  exampleFor,
  loadScenario,
  loadScenarioOrThrow,
  parseScenario,
  ScenarioInvalidError,
} from './load.js';

const MINIMAL = 'metadata: { name: minimal }\nload: { rate: 100, duration: 30s }\n';

describe('parseScenario', () => {
  it('fills defaults, converts durations to ms and makes the primary explicit', () => {
    const result = parseScenario(MINIMAL, 'minimal.yaml');
    expect(result.errors).toEqual([]);
    expect(result.value?.load.duration).toBe(30_000);
    expect(result.value?.topology.regions).toEqual(['us-east', 'eu-west', 'ap-south']);
    expect(result.value?.topology.primary).toBe('us-east');
    expect(result.value?.load.retry).toEqual({ attempts: 3, backoff: 100, maxBackoff: 2000, sameKey: true });
  });

  it('reports every error at once, each at its line and column with value and example', () => {
    const text = [
      'metadata:', //             1
      '  name: x', //             2
      'load:', //                 3
      '  rate: 100', //           4
      '  duraton: 60s', //        5
      '  retry:', //              6
      '    attempts: three', //   7
      'topology:', //             8
      '  replication: asynk', //  9
    ].join('\n');
    const { errors, value } = parseScenario(text, 's.yaml');
    expect(value).toBeUndefined();
    const byPath = new Map(errors.map((e) => [e.path, e]));
    expect(byPath.get('load.duraton')).toMatchObject({
      line: 5,
      col: 3,
      value: '`duraton`',
      example: 'duration: 60s',
      message: expect.stringContaining('did you mean `duration`?'),
    });
    expect(byPath.get('load.retry.attempts')).toMatchObject({
      line: 7,
      col: 15,
      value: '`three`',
      example: 'attempts: 3',
    });
    expect(byPath.get('topology.replication')).toMatchObject({
      line: 9,
      col: 16,
      message: expect.stringContaining('`async`'),
    });
    // zod skips load's cross-field refinements while fields inside it are invalid
    expect(errors).toHaveLength(3);
    expect(errors.every((e) => e.file === 's.yaml')).toBe(true);
  });

  it('gives YAML syntax errors a position', () => {
    const { errors } = parseScenario('metadata:\n  name: [x\nload: 1\n', 'bad.yaml');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.message).toMatch(/^YAML syntax error/);
    expect(errors[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it('places an unclosed bracket or quote where it opened, not where the parser noticed it', async () => {
    // The break is on the line of `accounts:` (its `}` is gone); the parser notices on the next line.
    const lines = (await readFile('scenarios/ci-gate.yaml', 'utf8')).split('\n');
    const broken = lines.findIndex((l) => l.includes('accounts: { count: 50 }'));
    lines[broken] = lines[broken]!.replace(' }', '');
    const { errors } = parseScenario(lines.join('\n'), 'ci-gate.yaml');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: broken + 1, col: lines[broken].indexOf('{') + 1 });
    expect(errors[0]!.message).toBe(
      `YAML syntax error: \`{\` is never closed with \`}\` (the parser noticed at line ${broken + 2}, column 3)`,
    );
    for (const [text, line, col, opening] of [
      ['metadata:\n  name: x\nload:\n  rate: [100, 200\n', 4, 9, '['],
      ['metadata:\n  name: "x\nload:\n  rate: 1\n', 2, 9, '"'],
      ["metadata:\n  name: 'x\nload:\n  rate: 1\n", 2, 9, "'"],
      ['load:\n  a: { b: [1, 2 }\n  c: 1\n', 2, 11, '['],
    ] as const) {
      const found = parseScenario(text, 'x.yaml').errors[0]!;
      expect({ line: found.line, col: found.col }, text).toEqual({ line, col });
      expect(found.message, text).toContain(`\`${opening}\` is never closed`);
    }
    // Other syntax errors keep the parser's position.
    expect(parseScenario('metadata:\n\tname: x\n', 'x.yaml').errors[0]).toMatchObject({ line: 2, col: 1 });
  });

  it.each([
    ['', 'empty'],
    ['# only a comment\n', 'empty'],
    ['- a\n- b\n', 'a list'],
    ['just some words', 'single value'],
    ['42', 'single value'],
  ])('rejects %j as not a scenario', (text, fragment) => {
    const { errors, value } = parseScenario(text, 'x.yaml');
    expect(value).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(fragment);
    expect(errors[0]).toMatchObject({ line: 1, col: 1 });
  });

  it('reports gate metric errors together with schema errors elsewhere', () => {
    const { errors } = parseScenario(
      'metadata: { name: x }\nload: { rate: fast, duration: 1s }\ngates: [dupes == 0]\n',
      'g.yaml',
    );
    expect(errors.map((e) => e.path)).toEqual(['load.rate', 'gates.0']);
    expect(errors[1]!.message).toContain('did you mean `duplicates`?');
  });

  it('reports semantic errors together with schema errors in other sections', () => {
    const text = [
      'metadata: { name: x }',
      'topology: { regions: [us-east, eu-west], primary: us-wst }',
      'load: { rate: fast, duration: 10s }',
      'faults:',
      '  - { at: 1s, duration: 2s, kind: region-outage, target: { region: ap-south } }',
      'idempotency: { mismatch: 409 }',
      'gates: [mttr_seconds < 30]',
      '',
    ].join('\n');
    const { errors } = parseScenario(text, 's.yaml');
    expect(errors.map((e) => `${e.line}:${e.path}`)).toEqual([
      '2:topology.primary', // semantic: topology has no schema error
      '3:load.rate', // schema
      '6:idempotency.inFlight', // semantic: two answers share 409
      '7:gates.0', // metric name, did you mean
    ]);
    expect(errors[0]!.message).toContain('did you mean `us-east`?');
    expect(errors[3]!.message).toContain('did you mean `mttr_s`?');
    // The fault's unknown region is not judged: faults are checked against the load, which is broken.
  });

  it('stops an alias bomb instead of expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(10)
          .fill(`*${i === 0 ? 'a' : 'bcdefghi'[i - 1]}`)
          .join(', ')}]`,
      );
    const { errors } = parseScenario(bomb.join('\n'), 'bomb.yaml');
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('exampleFor', () => {
  it('renders a one-line example from the reference scenario', () => {
    expect(exampleFor(['load', 'retry', 'attempts'])).toBe('attempts: 3');
    expect(exampleFor(['faults', 7, 'at'])).toBe('at: 20s');
    expect(exampleFor(['gates', 3])).toBe('mttr_s < 30');
    expect(exampleFor(['nowhere'])).toBeUndefined();
  });
});

describe('loadScenario / loadScenarioOrThrow', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaosbank-load-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a file', async () => {
    const file = join(dir, 'ok.yaml');
    await writeFile(file, MINIMAL);
    expect((await loadScenario(file)).value?.metadata.name).toBe('minimal');
    expect((await loadScenarioOrThrow(file)).metadata.name).toBe('minimal');
  });

  it('throws SCENARIO_INVALID (exit 2) listing every issue as file:line:col: path: message', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'metadata: { name: x }\nload:\n  rate: 100\n  duraton: 1s\n');
    const error = await loadScenarioOrThrow(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioInvalidError);
    const invalid = error as ScenarioInvalidError;
    expect(invalid.code).toBe('SCENARIO_INVALID');
    expect(invalid.exitCode).toBe(2);
    expect(invalid.message).toContain(`${file}:4:3: load.duraton: unknown key (did you mean \`duration\`?)`);
    expect(invalid.message).toContain('(got `duraton`; e.g. `duration: 60s`)');
    expect(invalid.issues).toHaveLength(2);
  });

  it('passes warnings to onWarning', async () => {
    const file = join(dir, 'warn.yaml');
    await writeFile(file, 'metadata: { name: x }\nload: { rate: 10, duration: 10s }\ngates: [mttr_s < 30]\n');
    const warnings: string[] = [];
    await loadScenarioOrThrow(file, { onWarning: (w) => warnings.push(w.message) });
    expect(warnings).toEqual([expect.stringContaining('no faults')]);
  });

  it('turns a missing file or a directory into a clear InputError', async () => {
    await expect(loadScenario(join(dir, 'nope.yaml'))).rejects.toMatchObject({ code: 'SCENARIO_NOT_FOUND' });
    await expect(loadScenario(dir)).rejects.toBeInstanceOf(InputError);
    await expect(loadScenario(dir)).rejects.toMatchObject({ code: 'SCENARIO_UNREADABLE' });
  });
});

/**
 * The scenario loader: YAML text -> validated `Scenario`, or every problem in the file at once, each
 * located at file:line:col with the offending value and a correct example.
 */
import { readFile, stat } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isScalar, isSeq, stringify, type Document } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../contract/errors.js';
import { scenarioSchema, type Scenario } from './schema.js';
import { checkGateNames, checkScenario, type SemanticIssue } from './semantic.js';
import { semanticIssuesBesideSchema } from './semantic-beside-schema.js';
import { EXAMPLE_SCENARIO } from './example.js';
import { knownKeysAt, whereKeyBelongs } from './schema-walk.js';
import { didYouMean, closestName } from './suggest.js';
import { locate, positionOf, syntaxErrorAt } from './yaml-positions.js';
import { dottedPath, formatIssue, type ScenarioIssue } from './issues.js';

export interface LoadResult {
  /** Present only when there are no errors. */
  value?: Scenario;
  errors: ScenarioIssue[];
  warnings: ScenarioIssue[];
}

/** Scenario files are small; anything bigger is not one. */
const MAX_BYTES = 1024 * 1024;
const MAX_QUOTED = 60;

/** Thrown by `loadScenarioOrThrow`: every issue, in the message and as data. */
export class ScenarioInvalidError extends InputError {
  readonly issues: ScenarioIssue[];
  constructor(file: string, issues: ScenarioIssue[]) {
    const count = issues.length === 1 ? '1 error' : `${issues.length} errors`;
    super(
      'SCENARIO_INVALID',
      `${file} is not a valid scenario (${count}):\n${issues.map(formatIssue).join('\n')}`,
    );
    this.issues = issues;
  }
}

const EXAMPLE_OVERRIDES: Record<string, string> = {
  '': 'metadata: { name: my-scenario }',
  metadata: 'metadata: { name: region-outage }',
  load: 'load: { rate: 150, duration: 60s }',
  'faults.0.target': 'target: { region: us-east }',
  'faults.0.params': 'params: { latency: 200ms }',
};

/** A one-line YAML example for the key at `path`, taken from the complete reference scenario. */
export function exampleFor(path: readonly PropertyKey[]): string | undefined {
  const normal = path.map((segment) => (typeof segment === 'number' ? 0 : segment));
  const override = EXAMPLE_OVERRIDES[dottedPath(normal)];
  if (override !== undefined) return override;
  let value: unknown = EXAMPLE_SCENARIO;
  for (const segment of normal) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  if (value === undefined) return undefined;
  const rendered = stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trim();
  const last = normal.at(-1);
  const line = typeof last === 'string' ? `${last}: ${rendered}` : rendered;
  return line.length <= 90 ? line : undefined;
}

function quote(text: string): string | undefined {
  if (text === '') return undefined;
  const short = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
  return `\`${short}\``;
}

function describeValue(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

/** zod's issue -> our wording. `present` is whether the key is written in the file. */
function messageFor(issue: z.core.$ZodIssue, input: unknown, present: boolean): string {
  const value = valueAt(input, issue.path);
  // Refinements explain themselves (`a constant rate needs a duration`); other issues on an absent key mean it is missing.
  if (!present && value === undefined && issue.code !== 'custom') return 'is required';
  switch (issue.code) {
    case 'invalid_type':
      if (typeof value === 'number' && !Number.isFinite(value)) return 'expected a finite number';
      return `expected ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a mapping' : `a ${issue.expected}`}, got ${describeValue(value)}`;
    case 'invalid_value': {
      const options = issue.values.map(String);
      if (options.length === 1) return `must be ${options[0]}`;
      const hint = typeof value === 'string' ? didYouMean(value, options) : '';
      return `must be one of ${options.join(', ')}${hint}`;
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      if (issue.origin === 'array') {
        const exact = 'exact' in issue && issue.exact === true;
        if (exact) return `needs exactly ${String(bound)} item(s)`;
        return issue.code === 'too_small'
          ? `needs at least ${String(bound)} item(s)`
          : `takes at most ${String(bound)} item(s)`;
      }
      if (issue.origin === 'string')
        return issue.code === 'too_small'
          ? 'must not be empty'
          : `is longer than ${String(bound)} characters`;
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      return `must be ${op} ${String(bound)}`;
    }
    case 'invalid_key':
      // A record key that does not match its pattern: the key's own message says what is expected.
      return issue.issues[0]?.message ?? issue.message;
    default:
      return issue.message;
  }
}

/** Parse and validate scenario text. Never throws for bad input: every problem comes back as an issue. */
export function parseScenario(text: string, fileName: string): LoadResult {
  const lineCounter = new LineCounter();
  // `merge`: YAML 1.1 merge keys (`<<: *defaults`) are common in configuration files.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const at = (
    line: number,
    col: number,
    path: string,
    message: string,
    extra: Partial<ScenarioIssue> = {},
  ): ScenarioIssue => ({
    path,
    message,
    file: fileName,
    line,
    col,
    ...extra,
  });

  if (doc.errors.length > 0) {
    const errors = doc.errors.map((error) => {
      const { line, col, message } = syntaxErrorAt(doc, text, lineCounter, error);
      return at(
        line,
        col,
        '',
        `YAML syntax error: ${message ?? yamlErrorMessage(error.code, error.message)}`,
      );
    });
    // One unclosed bracket can trip the parser twice at the same place: say it once.
    const unique = new Map(errors.map((e) => [`${e.line}:${e.col}:${e.message}`, e]));
    return { errors: [...unique.values()], warnings: [] };
  }
  const warnings = doc.warnings.map((warning) => {
    const { line, col } = positionOf(lineCounter, warning.pos[0]);
    return at(line, col, '', `YAML: ${warning.message.split('\n')[0]!}`);
  });

  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''))) {
    return {
      errors: [
        at(1, 1, '', 'the file is empty; a scenario needs at least `metadata` and `load`', {
          example: 'metadata: { name: my-scenario }',
        }),
      ],
      warnings,
    };
  }
  if (!isMap(contents)) {
    const { line, col } = positionOf(lineCounter, contents.range?.[0] ?? 0);
    const found = isSeq(contents) ? 'a list' : 'a single value (is this YAML at all?)';
    return {
      errors: [
        at(
          line,
          col,
          '',
          `a scenario is a mapping of keys such as \`metadata:\` and \`load:\`, but the file holds ${found}`,
          { example: 'metadata: { name: my-scenario }' },
        ),
      ],
      warnings,
    };
  }

  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return {
      errors: [
        at(1, 1, '', `cannot read the YAML: ${error instanceof Error ? error.message : String(error)}`),
      ],
      warnings,
    };
  }

  const place = (issue: SemanticIssue): ScenarioIssue => {
    const location = locate(doc, text, lineCounter, issue.path);
    const result = at(location.line, location.col, dottedPath(issue.path), issue.message);
    if (location.exact && location.text !== undefined) result.value = quote(location.text);
    if (issue.example !== undefined) result.example = issue.example;
    return result;
  };
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) {
    const raw = input as { gates?: unknown; aborts?: unknown };
    // Every error at once: the semantic checks still run on the sections without schema errors.
    const semantic = semanticIssuesBesideSchema(input as Record<string, unknown>, parsed.error.issues);
    const errors = [
      ...schemaIssues(parsed.error.issues, input, doc, text, lineCounter, fileName),
      ...checkGateNames(raw.gates, raw.aborts).map(place),
      ...semantic.errors.map(place),
    ];
    return {
      errors: sortIssues(errors),
      warnings: sortIssues([...warnings, ...semantic.warnings.map(place)]),
    };
  }

  const semantic = checkScenario(parsed.data);
  const errors = sortIssues(semantic.errors.map(place));
  const allWarnings = sortIssues([...warnings, ...semantic.warnings.map(place)]);
  if (errors.length > 0) return { errors, warnings: allWarnings };
  const value = parsed.data;
  // The default primary is the first region, made explicit so consumers never have to guess.
  value.topology.primary ??= value.topology.regions[0];
  return { value, errors, warnings: allWarnings };
}

function schemaIssues(
  issues: z.core.$ZodIssue[],
  input: unknown,
  doc: Document,
  text: string,
  lineCounter: LineCounter,
  file: string,
): ScenarioIssue[] {
  const result: ScenarioIssue[] = [];
  for (const issue of issues.flatMap(unwrapUnion)) {
    const path = issue.path as (string | number)[];
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(path);
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        const location = locate(doc, text, lineCounter, keyPath, { atKey: true });
        // A key valid in another section (`rate` at the top level) beats a fuzzy match here.
        const belongs = whereKeyBelongs(key);
        const suggestion = belongs === undefined ? closestName(key, known) : undefined;
        const hint =
          suggestion !== undefined
            ? ` (did you mean \`${suggestion}\`?)`
            : belongs !== undefined
              ? ` (\`${key}\` belongs in \`${belongs}\`)`
              : known.length > 0
                ? `; known keys here: ${known.join(', ')}`
                : '';
        const entry: ScenarioIssue = {
          path: dottedPath(keyPath),
          message: `unknown key${hint}`,
          file,
          line: location.line,
          col: location.col,
          value: quote(key),
        };
        const example = suggestion !== undefined ? exampleFor([...path, suggestion]) : undefined;
        if (example !== undefined) entry.example = example;
        result.push(entry);
      }
      continue;
    }
    const location = locate(doc, text, lineCounter, path);
    const entry: ScenarioIssue = {
      path: dottedPath(path),
      message: messageFor(issue, input, location.exact),
      file,
      line: location.line,
      col: location.col,
    };
    if (location.exact && location.text !== undefined) entry.value = quote(location.text);
    const example = exampleFor(path);
    if (example !== undefined) entry.example = example;
    result.push(entry);
  }
  return result;
}

/**
 * A union (`network: lan` or a mapping) fails as a whole; when the value has the shape of exactly one
 * branch (that branch's issues are all below the value, not about the value itself), report that
 * branch's issues at their own dotted paths instead of one vague message for the union.
 */
function unwrapUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const matching = issue.errors.filter((branch) => branch.every((inner) => inner.path.length > 0));
  if (matching.length !== 1) return [issue];
  return matching[0]!.flatMap((inner) => unwrapUnion({ ...inner, path: [...issue.path, ...inner.path] }));
}

function yamlErrorMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS')
    return 'the file holds more than one YAML document (`---`); a scenario is one document';
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function sortIssues(issues: ScenarioIssue[]): ScenarioIssue[] {
  return issues.sort((a, b) => a.line - b.line || a.col - b.col || a.path.localeCompare(b.path));
}

/** Read a scenario file and validate it. Throws InputError only when the file cannot be read. */
export async function loadScenario(path: string): Promise<LoadResult> {
  const text = await readScenarioText(path);
  return parseScenario(text, path);
}

export async function readScenarioText(path: string): Promise<string> {
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory())
      throw new InputError('SCENARIO_UNREADABLE', `${path} is a directory; give a scenario file (.yaml)`);
    size = info.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw fileError(path, error);
  }
  if (size > MAX_BYTES)
    throw new InputError(
      'SCENARIO_UNREADABLE',
      `${path} is ${size} bytes; a scenario file is at most ${MAX_BYTES} bytes`,
    );
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw fileError(path, error);
  }
  if (bytes.includes(0))
    throw new InputError('SCENARIO_UNREADABLE', `${path} is a binary file, not a YAML scenario`);
  return bytes.toString('utf8');
}

function fileError(path: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return new InputError('SCENARIO_NOT_FOUND', `scenario file not found: ${path}`, {
      cause: error,
      details: ['Check the path; scenarios shipped with chaosbank are in scenarios/.'],
    });
  if (code === 'EACCES' || code === 'EPERM')
    return new InputError('SCENARIO_UNREADABLE', `no permission to read ${path}`, { cause: error });
  return new InputError('SCENARIO_UNREADABLE', `cannot read ${path}: ${(error as Error).message}`, {
    cause: error,
  });
}

/** Load a scenario or throw a ScenarioInvalidError (exit 2) listing every problem. */
export async function loadScenarioOrThrow(
  path: string,
  options: { onWarning?: (issue: ScenarioIssue) => void } = {},
): Promise<Scenario> {
  return valueOrThrow(await loadScenario(path), path, options);
}

export function parseScenarioOrThrow(
  text: string,
  fileName: string,
  options: { onWarning?: (issue: ScenarioIssue) => void } = {},
): Scenario {
  return valueOrThrow(parseScenario(text, fileName), fileName, options);
}

function valueOrThrow(
  result: LoadResult,
  file: string,
  options: { onWarning?: (issue: ScenarioIssue) => void },
): Scenario {
  for (const warning of result.warnings) options.onWarning?.(warning);
  if (result.value === undefined) throw new ScenarioInvalidError(file, result.errors);
  return result.value;
}

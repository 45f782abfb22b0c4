/**
 * Runbook text -> Runbook, or every problem at once, each at file:line:col (the scenario loader's
 * approach: YAML positions from the `yaml` CST, zod for shapes, unknown keys rejected with a hint).
 * The front matter and each ```step block are separate YAML documents; their lines are offset to the
 * Markdown file's.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../contract/errors.js';
import { parseDuration } from '../contract/duration.js';
import { formatIssue, dottedPath, type ScenarioIssue } from '../scenario/issues.js';
import { locate, positionOf } from '../scenario/yaml-positions.js';
import { closestName } from '../scenario/suggest.js';
import { scenarioFaultId } from '../faults/fault-id.js';
import type { FaultSpec } from '../faults/spec.js';
import { conditionRegions, parseCondition, type Condition } from './conditions.js';
import {
  frontMatterSchema,
  SECTION_HEADINGS,
  STEP_KINDS,
  STEP_SCHEMAS,
  type RunbookFrontMatter,
  type SectionName,
  type StepKind,
} from './runbook-schema.js';
import type { Runbook, Step } from './runbook.js';

export type RunbookIssue = ScenarioIssue;

export class RunbookInvalidError extends InputError {
  readonly issues: RunbookIssue[];
  constructor(file: string, issues: RunbookIssue[]) {
    const count = issues.length === 1 ? '1 error' : `${issues.length} errors`;
    super(
      'RUNBOOK_INVALID',
      `${file} is not a valid runbook (${count}):\n${issues.map(formatIssue).join('\n')}`,
      {
        details: ['The runbook format is described in docs/drills.md.'],
      },
    );
    this.issues = issues;
  }
}

interface Block {
  /** 1-based line of the first YAML line. */
  firstLine: number;
  text: string;
  section: SectionName | null;
  heading: string | null;
  /** Line of the opening fence. */
  fenceLine: number;
}

interface Scan {
  frontMatter: Block | null;
  blocks: Block[];
  issues: RunbookIssue[];
}

const FENCE = /^(```|~~~)\s*([A-Za-z0-9_-]*)\s*$/;

function scanMarkdown(text: string, file: string): Scan {
  const lines = text.split(/\r?\n/);
  const issues: RunbookIssue[] = [];
  let frontMatter: Block | null = null;
  let i = 0;
  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((l, x) => x > 0 && l.trim() === '---');
    if (end < 0) {
      issues.push({
        path: '',
        message: 'the front matter opened on line 1 is never closed with `---`',
        file,
        line: 1,
        col: 1,
      });
      return { frontMatter: null, blocks: [], issues };
    }
    frontMatter = {
      firstLine: 2,
      text: lines.slice(1, end).join('\n'),
      section: null,
      heading: null,
      fenceLine: 1,
    };
    i = end + 1;
  } else {
    issues.push({
      path: '',
      message: 'a runbook starts with a YAML front matter between `---` lines',
      file,
      line: 1,
      col: 1,
      example: '---\\nname: primary-db-loss\\ntargets: { rto_s: 20, rpo_s: 0 }\\n---',
    });
  }
  const blocks: Block[] = [];
  let section: SectionName | null = null;
  let heading: string | null = null;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const h2 = /^##\s+(.+?)\s*#*\s*$/.exec(line);
    if (h2 && !line.startsWith('###')) {
      const name = h2[1]!.toLowerCase();
      section = SECTION_HEADINGS[name] ?? null;
      heading = null;
      continue;
    }
    const h3 = /^#{3,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (h3) {
      heading = h3[1]!.replace(/^\d+[.)]\s*/, '');
      continue;
    }
    const fence = FENCE.exec(line);
    if (!fence) continue;
    const marker = fence[1]!;
    const start = i;
    let end = i + 1;
    while (end < lines.length && lines[end]!.trim() !== marker) end++;
    if (end >= lines.length) {
      issues.push({
        path: '',
        message: `the code block opened here is never closed with ${marker}`,
        file,
        line: start + 1,
        col: 1,
      });
      break;
    }
    if (fence[2] === 'step')
      blocks.push({
        firstLine: start + 2,
        text: lines.slice(start + 1, end).join('\n'),
        section,
        heading,
        fenceLine: start + 1,
      });
    i = end;
  }
  return { frontMatter, blocks, issues };
}

interface YamlValue {
  value: unknown;
  /** Location of a path inside the block, in file coordinates. */
  at: (
    path: readonly PropertyKey[],
    options?: { atKey?: boolean },
  ) => { line: number; col: number; value?: string };
}

function readYaml(block: Block, file: string, issues: RunbookIssue[]): YamlValue | null {
  const lineCounter = new LineCounter();
  const doc = parseDocument(block.text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const shift = (p: { line: number; col: number }) => ({ line: p.line + block.firstLine - 1, col: p.col });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const p = shift(positionOf(lineCounter, error.pos[0]));
      issues.push({ path: '', message: `YAML syntax error: ${error.message.split('\n')[0]!}`, file, ...p });
    }
    return null;
  }
  if (!isMap(doc.contents)) {
    issues.push({
      path: '',
      message: 'a block must hold a YAML mapping of keys',
      file,
      line: block.firstLine,
      col: 1,
      example: 'wait: primary-changed',
    });
    return null;
  }
  return {
    value: doc.toJS({ maxAliasCount: 50 }) as unknown,
    at: (path, options) => {
      const loc = locate(doc, block.text, lineCounter, path, options);
      return { ...shift(loc), ...(loc.exact && loc.text !== undefined ? { value: `\`${loc.text}\`` } : {}) };
    },
  };
}

function zodIssues(
  issues: z.core.$ZodIssue[],
  yaml: YamlValue,
  file: string,
  prefix: string,
  knownKeys: (path: (string | number)[]) => string[],
): RunbookIssue[] {
  const out: RunbookIssue[] = [];
  for (const issue of issues) {
    const path = issue.path as (string | number)[];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const known = knownKeys(path);
        const suggestion = closestName(key, known);
        const hint = suggestion
          ? ` (did you mean \`${suggestion}\`?)`
          : known.length
            ? `; known keys here: ${known.join(', ')}`
            : '';
        out.push({
          path: dottedPath([prefix, ...path, key].filter((s) => s !== '')),
          message: `unknown key \`${key}\`${hint}`,
          file,
          ...yaml.at([...path, key], { atKey: true }),
        });
      }
      continue;
    }
    const where = yaml.at(path);
    let value: unknown = yaml.value;
    for (const s of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[s];
    const message = value === undefined && issue.code !== 'custom' ? 'is required' : issue.message;
    out.push({
      path: dottedPath([prefix, ...path].filter((s) => s !== '')),
      message,
      file,
      line: where.line,
      col: where.col,
      ...(where.value !== undefined ? { value: where.value } : {}),
    });
  }
  return out;
}

/** Keys a strict object schema accepts at `path` (best effort, for "did you mean"). */
function keysOf(schema: z.ZodType, path: (string | number)[]): string[] {
  let node: unknown = schema;
  for (const segment of [...path, '']) {
    // unwrap defaults/optionals/pipes
    for (let k = 0; k < 5; k++) {
      const def = (node as { def?: { innerType?: unknown; in?: unknown } }).def;
      if (def?.innerType) node = def.innerType;
      else if (def?.in) node = def.in;
      else break;
    }
    const shape = (node as { shape?: Record<string, unknown> }).shape;
    if (segment === '') return shape ? Object.keys(shape) : [];
    if (!shape || typeof segment !== 'string') return [];
    node = shape[segment];
  }
  return [];
}

function describeStep(kind: StepKind, raw: Record<string, unknown>): string {
  const v = raw[kind];
  if (kind === 'fault') {
    const f = v as { kind: string; target?: Record<string, unknown> };
    const target = Object.entries(f.target ?? {})
      .filter(([k]) => k !== 'direction')
      .map(([, x]) => (Array.isArray(x) ? x.join('<->') : String(x)))
      .join(' ');
    return `fault ${f.kind}${target ? ` ${target}` : ''}`;
  }
  if (kind === 'process') {
    const p = v as { component: string; action: string };
    return `${p.action} ${p.component}`;
  }
  return `${kind} ${String(v)}`;
}

function buildStep(
  block: Block,
  yaml: YamlValue,
  file: string,
  meta: RunbookFrontMatter | null,
  faultCount: { n: number },
  issues: RunbookIssue[],
): Step | null {
  const raw = yaml.value as Record<string, unknown>;
  const kinds = STEP_KINDS.filter((k) => Object.hasOwn(raw, k));
  if (kinds.length !== 1) {
    const unknown = Object.keys(raw).find((k) => !['title', 'within', 'id', 'timeout'].includes(k));
    const suggestion = unknown ? closestName(unknown, STEP_KINDS) : undefined;
    issues.push({
      path: '',
      message:
        kinds.length === 0
          ? `a step needs exactly one action key: ${STEP_KINDS.join(', ')}${suggestion ? ` (did you mean \`${suggestion}\`?)` : unknown ? ` (found \`${unknown}\`)` : ''}`
          : `a step has exactly one action, but this one has ${kinds.join(' and ')}`,
      file,
      ...(unknown && kinds.length === 0
        ? yaml.at([unknown], { atKey: true })
        : { line: block.firstLine, col: 1 }),
      example: 'wait: primary-changed',
    });
    return null;
  }
  const kind = kinds[0]!;
  const schema = STEP_SCHEMAS[kind];
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    issues.push(...zodIssues(parsed.error.issues, yaml, file, '', (p) => keysOf(schema, p)));
    return null;
  }
  const section = block.section!;
  const line = block.fenceLine;
  const d = parsed.data as Record<string, unknown> & { title?: string; within?: number };
  const title = d.title ?? block.heading ?? describeStep(kind, raw);
  const base = { title, section, line, ...(d.within !== undefined ? { withinMs: d.within } : {}) };
  const regions = meta?.stack.regions ?? [];
  const checkRegions = (condition: Condition, key: string): boolean => {
    const bad = conditionRegions(condition).find((r) => !regions.includes(r));
    if (bad === undefined || regions.length === 0) return true;
    issues.push({
      path: key,
      message: `region "${bad}" is not one of the runbook's regions (${regions.join(', ')})`,
      file,
      ...yaml.at([key]),
    });
    return false;
  };
  const condition = (key: 'wait' | 'check', text: string): Condition | null => {
    const c = parseCondition(text);
    if (typeof c === 'string') {
      issues.push({ path: key, message: c, file, ...yaml.at([key]) });
      return null;
    }
    if (c.kind === 'sync-standby' && meta?.stack.replication === 'async') {
      issues.push({
        path: key,
        message: 'sync-standby needs `replication: sync` (an async standby never joins a synchronous quorum)',
        file,
        ...yaml.at([key]),
      });
      return null;
    }
    return checkRegions(c, key) ? c : null;
  };

  switch (kind) {
    case 'fault': {
      const f = d.fault as Pick<FaultSpec, 'kind' | 'target' | 'params'>;
      faultCount.n++;
      const spec: FaultSpec = { at: 0, kind: f.kind, target: f.target, params: f.params };
      const id = (d.id as string | undefined) ?? `${scenarioFaultId(spec, faultCount.n - 1)}`;
      return { ...base, kind, id, fault: spec };
    }
    case 'heal':
      return { ...base, kind, faultId: d.heal as string };
    case 'wait': {
      const text = d.wait as string;
      const ms = parseDuration(text);
      if (ms !== undefined) return { ...base, kind, condition: null, durationMs: ms, timeoutMs: ms };
      const c = condition('wait', text);
      if (c?.kind === 'verdict-clean') {
        issues.push({
          path: 'wait',
          message: 'verdict-clean is only known after the drill: use it in a `check` step',
          file,
          ...yaml.at(['wait']),
        });
        return null;
      }
      return c ? { ...base, kind, condition: c, timeoutMs: d.timeout as number } : null;
    }
    case 'check': {
      const c = condition('check', d.check as string);
      return c ? { ...base, kind, condition: c } : null;
    }
    case 'confirm':
      return { ...base, kind, prompt: d.confirm as string };
    case 'process': {
      const p = d.process as { component: string; action: 'kill' | 'pause' | 'resume' | 'restart' };
      return { ...base, kind, component: p.component, action: p.action };
    }
  }
}

/** Parse runbook text. Never throws for bad input: problems come back as issues. */
export function parseRunbook(text: string, file: string): { value?: Runbook; issues: RunbookIssue[] } {
  const scan = scanMarkdown(text, file);
  const issues = [...scan.issues];
  let meta: RunbookFrontMatter | null = null;
  if (scan.frontMatter) {
    const yaml = readYaml(scan.frontMatter, file, issues);
    if (yaml) {
      const parsed = frontMatterSchema.safeParse(yaml.value);
      if (parsed.success) {
        meta = parsed.data;
        meta.stack.primary ??= meta.stack.regions[0];
        if (!meta.stack.regions.includes(meta.stack.primary!))
          issues.push({
            path: 'stack.primary',
            message: `must be one of the regions (${meta.stack.regions.join(', ')})`,
            file,
            ...yaml.at(['stack', 'primary']),
          });
      } else
        issues.push(...zodIssues(parsed.error.issues, yaml, file, '', (p) => keysOf(frontMatterSchema, p)));
    }
  }
  const runbook: Omit<Runbook, 'meta'> = {
    file,
    sha256: createHash('sha256').update(text).digest('hex'),
    preconditions: [],
    steps: [],
    expected: [],
    rollback: [],
  };
  const faultCount = { n: 0 };
  const faultIds = new Set<string>();
  for (const block of scan.blocks) {
    if (block.section === null) {
      issues.push({
        path: '',
        message:
          'a step block must sit under one of the headings `## Preconditions`, `## Steps`, `## Expected outcome`, `## Rollback`',
        file,
        line: block.fenceLine,
        col: 1,
      });
      continue;
    }
    const yaml = readYaml(block, file, issues);
    if (!yaml) continue;
    const step = buildStep(block, yaml, file, meta, faultCount, issues);
    if (!step) continue;
    if (step.kind === 'fault') {
      if (faultIds.has(step.id))
        issues.push({
          path: 'id',
          message: `fault id \`${step.id}\` is used twice; give each fault step its own \`id\``,
          file,
          line: step.line,
          col: 1,
        });
      faultIds.add(step.id);
    }
    if (step.kind === 'heal' && step.faultId !== 'all' && !faultIds.has(step.faultId))
      issues.push({
        path: 'heal',
        message: `no fault step before this one has id \`${step.faultId}\`${faultIds.size ? ` (ids: ${[...faultIds].join(', ')})` : ''}`,
        file,
        ...yaml.at(['heal']),
      });
    runbook[step.section].push(step);
  }
  if (scan.frontMatter && !scan.blocks.some((b) => b.section === 'steps'))
    issues.push({
      path: '',
      message: 'the runbook has no step under `## Steps`',
      file,
      line: scan.frontMatter.firstLine,
      col: 1,
      example: '## Steps\\n```step\\nfault: { kind: primary-db-kill }\\n```',
    });
  issues.sort((a, b) => a.line - b.line || a.col - b.col);
  if (issues.length > 0 || meta === null) return { issues };
  return { value: { ...runbook, meta }, issues };
}

/** Read and parse a runbook file; throws RunbookInvalidError (exit 2) naming every problem. */
export async function loadRunbook(file: string): Promise<Runbook> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new InputError('RUNBOOK_NOT_FOUND', `cannot read runbook ${file}`, {
      cause,
      details: ['Runbooks live in runbooks/*.md; e.g. `chaosbank drill runbooks/primary-db-loss.md`.'],
    });
  }
  const { value, issues } = parseRunbook(text, file);
  if (!value) throw new RunbookInvalidError(file, issues);
  return value;
}

/**
 * The runbook language: a YAML front matter (what to drill, its targets, the stack and the background
 * load) and one fenced `step` block per action. Every object is strict: an unknown key is an error.
 */
import { z } from 'zod';
import { topologySchema } from '../scenario/schema.js';
import { duration } from '../contract/duration.js';
import { faultSchema, faultTargetSchema, FAULT_KINDS } from '../faults/spec.js';

export const targetsSchema = z.strictObject({
  /** Recovery time objective: fault to recovered success rate (client-side MTTR), seconds. */
  rto_s: z.number().positive(),
  /** Recovery point objective: acknowledged data lost by the failover, seconds (0 = none). */
  rpo_s: z.number().nonnegative(),
});

export const drillLoadSchema = z.strictObject({
  /** Background payments per second during the whole drill. */
  rate: z.number().positive().max(2000).default(50),
  timeout: duration.default(2000),
  accounts: z
    .strictObject({
      count: z.number().int().min(2).default(100),
      funding: z.number().int().positive().default(1_000_000),
    })
    .default({ count: 100, funding: 1_000_000 }),
});

export const drillChecksSchema = z.strictObject({
  /** How long the success rate must hold above the threshold to call the stack recovered. */
  recoveryHold: duration.default(2000),
  /** Steady traffic before the first step, also the success-rate baseline. */
  warmup: duration.default(2000),
  /** Traffic kept running after the rollback so recovery can be measured. */
  settle: duration.default(3000),
  successRate: z.number().min(0).max(1).default(0.95),
});

export const frontMatterSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a runbook name is lower-case letters, digits and dashes'),
  description: z.string().optional(),
  owner: z.string().optional(),
  targets: targetsSchema,
  stack: topologySchema.default(topologySchema.parse({})),
  load: drillLoadSchema.default(drillLoadSchema.parse({})),
  checks: drillChecksSchema.default(drillChecksSchema.parse({})),
});
export type RunbookFrontMatter = z.output<typeof frontMatterSchema>;

const common = {
  title: z.string().min(1).optional(),
  /** Target time for the step (the runbook's promise), e.g. `within: 15s`. */
  within: duration.optional(),
};
const faultId = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,40}$/,
    'a fault id is lower-case letters, digits and dashes, e.g. kill-primary',
  );

export const faultStepSchema = z.strictObject({
  ...common,
  id: faultId.optional(),
  fault: z.strictObject({
    kind: z.enum(FAULT_KINDS),
    target: faultTargetSchema.default({ direction: 'both' }),
    params: faultSchema.shape.params,
  }),
});
export const healStepSchema = z.strictObject({
  ...common,
  /** `all`, or the id of one fault step. */
  heal: z.union([z.literal('all'), faultId]),
});
export const waitStepSchema = z.strictObject({
  ...common,
  /** A condition (see conditions.ts) or a plain duration. */
  wait: z.string().min(1),
  timeout: duration.default(30_000),
});
export const checkStepSchema = z.strictObject({ ...common, check: z.string().min(1) });
export const confirmStepSchema = z.strictObject({ ...common, confirm: z.string().min(1) });
export const processStepSchema = z.strictObject({
  ...common,
  process: z.strictObject({
    /** `api@R`, `db@R`, `db@primary` (the current primary database), `router`, `controller`. */
    component: z.string().min(1),
    action: z.enum(['kill', 'pause', 'resume', 'restart']),
  }),
});

export const STEP_SCHEMAS = {
  fault: faultStepSchema,
  heal: healStepSchema,
  wait: waitStepSchema,
  check: checkStepSchema,
  confirm: confirmStepSchema,
  process: processStepSchema,
} as const;
export type StepKind = keyof typeof STEP_SCHEMAS;
export const STEP_KINDS = Object.keys(STEP_SCHEMAS) as StepKind[];

export const SECTIONS = ['preconditions', 'steps', 'expected', 'rollback'] as const;
export type SectionName = (typeof SECTIONS)[number];
/** `## Heading` text (lower-cased) -> section. */
export const SECTION_HEADINGS: Record<string, SectionName> = {
  preconditions: 'preconditions',
  steps: 'steps',
  'expected outcome': 'expected',
  rollback: 'rollback',
};

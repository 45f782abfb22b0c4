/**
 * The scenario language. One zod schema is the source of truth: the loader validates with it, the
 * JSON Schema (scenarios/schema.json) is generated from it, and the rest of chaosbank consumes the
 * parsed `Scenario` type. Every object is strict: an unknown key is an error, so a typo never passes.
 */
import { z } from 'zod';
import { duration } from '../contract/duration.js';
import { REGION_NAME, regionName } from '../contract/topology.js';
import { EVERY_PAIR, PAIR_SEPARATOR } from '../contract/network.js';
import { SEEDED_BUGS } from '../contract/seeded-bugs.js';
import { expectedStatusesSchema, IETF_STATUSES } from '../contract/stack-http.js';
import { checksSchema } from '../checks/spec.js';
import { faultSchema } from '../faults/spec.js';
import { loadSchema } from '../load/spec.js';

const probability = z.number().min(0).max(1);

export const metadataSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  owner: z.string().optional(),
  tags: z.array(z.string()).default([]),
});

export const stackSchema = z.strictObject({
  bugs: z.array(z.enum(SEEDED_BUGS)).default([]),
  failoverGrace: duration.default(2000),
  heartbeatInterval: duration.default(250),
  routerHealthInterval: duration.default(250),
  routerUnhealthyAfter: z.number().int().min(1).default(2),
});

const REGION_PATTERN = REGION_NAME.source.slice(1, -1);
/** `us-east<->eu-west` (either order), or `*` for every pair not named on its own. */
const pairKeySchema = z
  .string()
  .regex(
    new RegExp(`^(${REGION_PATTERN}${PAIR_SEPARATOR}${REGION_PATTERN}|\\${EVERY_PAIR})$`),
    `a region pair such as us-east${PAIR_SEPARATOR}eu-west, or ${EVERY_PAIR} for every other pair`,
  );
const perPair = (what: string) =>
  z.record(pairKeySchema, duration).meta({
    description: `${what} per region pair (\`us-east${PAIR_SEPARATOR}eu-west\`, or \`${EVERY_PAIR}\` for every pair not named)`,
  });

export const networkSchema = z
  .union(
    [
      z.enum(['wan', 'lan']),
      z.strictObject({
        latency: perPair('One-way latency, added to each direction of every link').optional(),
        jitter: perPair('Jitter (± uniform, per chunk)').optional(),
      }),
    ],
    {
      error: `expected \`wan\`, \`lan\` or a mapping such as { latency: { us-east${PAIR_SEPARATOR}eu-west: 40ms } }`,
    },
  )
  .meta({
    description:
      'How far apart the regions are. `wan` (default): published inter-region latencies on every cross-region link; `lan`: none (loopback); or per-pair overrides of the wan figures.',
  });

export const topologySchema = z.strictObject({
  regions: z.array(regionName).min(1).default(['us-east', 'eu-west', 'ap-south']),
  primary: regionName.optional(),
  replication: z.enum(['sync', 'async']).default('sync'),
  network: networkSchema.default('wan'),
  stack: stackSchema.default({
    bugs: [],
    failoverGrace: 2000,
    heartbeatInterval: 250,
    routerHealthInterval: 250,
    routerUnhealthyAfter: 2,
  }),
});

export const steadyStateSchema = z.strictObject({
  duration: duration.default(5000),
  successRate: probability.default(0.99),
  p99: duration.optional(),
  timeout: duration.default(30_000),
});

export const GATE_PATTERN = '^\\s*([a-z][a-z0-9_]*)\\s*(<=|>=|===|==|!=|<|>)\\s*(-?\\d+(\\.\\d+)?)\\s*$';
export const gateSchema = z
  .string()
  .regex(new RegExp(GATE_PATTERN), 'a gate is `<metric> <op> <number>`, e.g. `mttr_s < 30`')
  .meta({ description: 'A threshold: `<metric> <op> <number>`, e.g. `mttr_s < 30`, `duplicates == 0`' });

export const ABORT_PATTERN =
  '^\\s*(([a-z][a-z0-9_]*)\\s*(<=|>=|==|!=|<|>)\\s*(-?\\d+(\\.\\d+)?)(\\s+for\\s+\\S+)?|ledger_invariant_broken|steady_state_not_reached)\\s*$';
export const abortSchema = z
  .string()
  .regex(
    new RegExp(ABORT_PATTERN),
    'an abort condition is `<metric> <op> <number> [for <duration>]`, `ledger_invariant_broken` or `steady_state_not_reached`',
  );

export const idempotencySchema = expectedStatusesSchema;

export const scenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).default(1),
  metadata: metadataSchema,
  topology: topologySchema.default({
    regions: ['us-east', 'eu-west', 'ap-south'],
    replication: 'sync',
    network: 'wan',
    stack: {
      bugs: [],
      failoverGrace: 2000,
      heartbeatInterval: 250,
      routerHealthInterval: 250,
      routerUnhealthyAfter: 2,
    },
  }),
  load: loadSchema,
  steadyState: steadyStateSchema.default({ duration: 5000, successRate: 0.99, timeout: 30_000 }),
  faults: z.array(faultSchema).default([]),
  heal: z.strictObject({ timeout: duration.default(30_000) }).default({ timeout: 30_000 }),
  settle: z.strictObject({ timeout: duration.default(60_000) }).default({ timeout: 60_000 }),
  gates: z.array(gateSchema).default([]),
  aborts: z.array(abortSchema).default([]),
  idempotency: idempotencySchema.default({ ...IETF_STATUSES }),
  checks: checksSchema.default({ window: 250, recoveryHold: 5000, examples: 10 }),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;

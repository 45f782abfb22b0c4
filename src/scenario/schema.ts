/**
 * The scenario language. One zod schema is the source of truth: the loader validates with it, the
 * JSON Schema (scenarios/schema.json) is generated from it, and the rest of chaosbank consumes the
 * parsed `Scenario` type. Every object is strict: an unknown key is an error, so a typo never passes.
 */
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration.js';
import { SEEDED_BUGS } from '../topology/topology.js';

/** `30s`, `2m`, `500ms` (or a number of ms) -> milliseconds. */
export const duration = z
  .union(
    [
      z.string().regex(new RegExp(DURATION_PATTERN), 'expected a duration such as 500ms, 30s or 2m'),
      z.number().int().nonnegative(),
    ],
    { error: 'expected a duration such as 500ms, 30s or 2m (or a number of milliseconds)' },
  )
  .transform((value) => parseDuration(value)!)
  .meta({ description: 'A duration: 500ms, 30s, 2m, 1h, or a number of milliseconds' });

const regionName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}$/, 'region names are lower-case letters, digits and dashes, e.g. us-east');
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

export const topologySchema = z.strictObject({
  regions: z.array(regionName).min(1).default(['us-east', 'eu-west', 'ap-south']),
  primary: regionName.optional(),
  replication: z.enum(['sync', 'async']).default('sync'),
  stack: stackSchema.default({
    bugs: [],
    failoverGrace: 2000,
    heartbeatInterval: 250,
    routerHealthInterval: 250,
    routerUnhealthyAfter: 2,
  }),
});

export const stageSchema = z.strictObject({ target: z.number().nonnegative(), duration });

export const retrySchema = z.strictObject({
  attempts: z.number().int().min(1).max(20).default(3),
  backoff: duration.default(100),
  maxBackoff: duration.default(2000),
  sameKey: z.boolean().default(true),
});

export const mixSchema = z.strictObject({
  replays: probability.default(0),
  concurrentDuplicates: probability.default(0),
  crossRegionDuplicates: probability.default(0),
  mismatches: probability.default(0),
  reads: probability.default(0),
});

export const loadSchema = z
  .strictObject({
    engine: z.enum(['embedded', 'k6']).default('embedded'),
    rate: z.number().positive().optional(),
    stages: z.array(stageSchema).min(1).optional(),
    duration: duration.optional(),
    accounts: z
      .strictObject({
        count: z.number().int().min(2).default(100),
        funding: z.number().int().positive().default(1_000_000),
        currency: z
          .string()
          .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD')
          .default('USD'),
      })
      .default({ count: 100, funding: 1_000_000, currency: 'USD' }),
    amount: z
      .strictObject({
        distribution: z.enum(['uniform', 'lognormal']).default('uniform'),
        min: z.number().int().positive().default(100),
        max: z.number().int().positive().default(10_000),
      })
      .default({ distribution: 'uniform', min: 100, max: 10_000 }),
    timeout: duration.default(2000),
    maxInFlight: z.number().int().positive().default(1000),
    /** Balance reads per target before the first arrival, not recorded: the client's JIT and connections warm. */
    warmUp: z.number().int().min(0).max(100_000).default(200),
    retry: retrySchema.default({ attempts: 3, backoff: 100, maxBackoff: 2000, sameKey: true }),
    mix: mixSchema.default({
      replays: 0,
      concurrentDuplicates: 0,
      crossRegionDuplicates: 0,
      mismatches: 0,
      reads: 0,
    }),
  })
  .refine((load) => load.rate !== undefined || load.stages !== undefined, {
    message: 'load needs either `rate` (with `duration`) or `stages`',
  })
  // rate + stages is reported by the semantic checks ("give either ..."), not as a missing duration.
  .refine((load) => load.rate === undefined || load.duration !== undefined || load.stages !== undefined, {
    message: 'a constant `rate` needs a `duration`',
    path: ['duration'],
  });

export const steadyStateSchema = z.strictObject({
  duration: duration.default(5000),
  successRate: probability.default(0.99),
  p99: duration.optional(),
  timeout: duration.default(30_000),
});

export const FAULT_KINDS = [
  'region-outage',
  'region-isolation',
  'partition',
  'latency',
  'bandwidth',
  'reset',
  'blackhole',
  'process-kill',
  'process-pause',
  'process-restart',
  'primary-db-kill',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const faultTargetSchema = z.strictObject({
  region: regionName.optional(),
  /** Two regions for partition / latency between a pair. */
  regions: z.array(regionName).length(2).optional(),
  /** A link (proxy) name, e.g. `api@eu-west->db@us-east`. */
  link: z.string().optional(),
  /** A component id, e.g. `api@us-east`, `db@eu-west`, `router`, `controller`. */
  component: z.string().optional(),
  /** For partitions: `both` (default) or `one-way` (first region to second only). */
  direction: z.enum(['both', 'one-way']).default('both'),
});

export const faultSchema = z.strictObject({
  name: z.string().optional(),
  at: duration,
  /** How long the fault lasts; omit (or `until: heal`) to keep it until the heal phase. */
  duration: duration.optional(),
  until: z.literal('heal').optional(),
  kind: z.enum(FAULT_KINDS),
  target: faultTargetSchema.default({ direction: 'both' }),
  params: z
    .strictObject({
      latency: duration.optional(),
      jitter: duration.optional(),
      rateKBps: z.number().int().nonnegative().optional(),
      timeout: duration.optional(),
      toxicity: probability.optional(),
      /** Which side of the link the toxic acts on. */
      stream: z.enum(['upstream', 'downstream', 'both']).optional(),
    })
    .default({}),
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

export const idempotencySchema = z.strictObject({
  /** Status answered for a reused key with another payload: 422 (IETF) or 400 (Stripe). */
  mismatch: z.number().int().min(400).max(499).default(422),
  inFlight: z.number().int().min(400).max(499).default(409),
  missingKey: z.number().int().min(400).max(499).default(400),
  decline: z.number().int().min(400).max(499).default(402),
});

export const checksSchema = z.strictObject({
  window: duration.default(250),
  recoveryHold: duration.default(5000),
  /** Optional latency bound for "recovered" windows. */
  recoveryP99: duration.optional(),
  examples: z.number().int().min(1).max(1000).default(10),
});

export const scenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).default(1),
  metadata: metadataSchema,
  topology: topologySchema.default({
    regions: ['us-east', 'eu-west', 'ap-south'],
    replication: 'sync',
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
  idempotency: idempotencySchema.default({ mismatch: 422, inFlight: 409, missingKey: 400, decline: 402 }),
  checks: checksSchema.default({ window: 250, recoveryHold: 5000, examples: 10 }),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type FaultSpec = z.output<typeof faultSchema>;
export type LoadSpec = z.output<typeof loadSchema>;

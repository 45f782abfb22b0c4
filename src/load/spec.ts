/**
 * The load spec: a scenario's `load:` section (rate or stages, accounts, amounts, retries, the request
 * mix). Owned here, next to the engines that run it; the scenario schema composes it.
 */
import { z } from 'zod';
import { duration } from '../contract/duration.js';

const probability = z.number().min(0).max(1);

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
    rate: z.number().positive().optional().meta({
      description:
        'Arrivals per second: constant for `duration`, or with `stages` the rate the first stage ramps from (default 0)',
    }),
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
  // With `stages`, `rate` is the rate the first stage ramps from (k6's startRate): no duration then.
  .refine((load) => load.rate === undefined || load.duration !== undefined || load.stages !== undefined, {
    message: 'a constant `rate` needs a `duration`',
    path: ['duration'],
  });

export type LoadSpec = z.output<typeof loadSchema>;

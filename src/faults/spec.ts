/**
 * The fault spec: the `faults:` entries of a scenario (and the fault steps of a runbook, the flags of
 * `chaosbank fault`). Owned here, next to what compiles it; the scenario schema composes it.
 */
import { z } from 'zod';
import { duration } from '../contract/duration.js';
import { regionName } from '../contract/topology.js';

const probability = z.number().min(0).max(1);

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

export type FaultSpec = z.output<typeof faultSchema>;

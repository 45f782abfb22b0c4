/**
 * The checks spec: a scenario's `checks:` section (recovery windows, how long recovery must hold,
 * examples per anomaly). Owned here, next to the checkers; the scenario schema composes it.
 */
import { z } from 'zod';
import { duration } from '../contract/duration.js';

export const checksSchema = z.strictObject({
  window: duration.default(250),
  recoveryHold: duration.default(5000),
  /** Optional latency bound for "recovered" windows. */
  recoveryP99: duration.optional(),
  examples: z.number().int().min(1).max(1000).default(10),
});

/**
 * Which response fields the history recorded. A checker that reads a field the load generator did not
 * record (k6 with a script that keeps only k6's own request samples) has nothing to compare and would
 * report "no anomaly": its metrics are not measured instead, with the missing field as the reason.
 *   split_brain  <- the primary epoch of acknowledged writes (X-Primary-Epoch)
 *   outcome_flips <- the body hash of responses
 *   stale_reads  <- the balance of answered reads
 */
import { KIND, OUTCOME, type AttemptStore } from './attempt-store.js';
import type { NotMeasured } from './not-measured.js';

export interface ResponseFieldCounts {
  /** Acknowledged (ok) payment attempts, and how many carry an epoch. */
  acknowledgedWrites: number;
  withEpoch: number;
  /** Attempts with an HTTP response (status != 0), and how many carry a body hash. */
  responses: number;
  withBodyHash: number;
  /** Reads answered 2xx, and how many carry a balance. */
  answeredReads: number;
  withBalance: number;
}

export function countResponseFields(s: AttemptStore): ResponseFieldCounts {
  const counts: ResponseFieldCounts = {
    acknowledgedWrites: 0,
    withEpoch: 0,
    responses: 0,
    withBodyHash: 0,
    answeredReads: 0,
    withBalance: 0,
  };
  for (let i = 0; i < s.count; i++) {
    const status = s.status.data[i]!;
    if (status === 0) continue;
    counts.responses++;
    if (s.bodyHash.data[i] !== 0) counts.withBodyHash++;
    if (s.kind.data[i] === KIND.read) {
      if (status < 200 || status >= 300) continue;
      counts.answeredReads++;
      if (!Number.isNaN(s.balance.data[i]!)) counts.withBalance++;
    } else if (s.outcome.data[i] === OUTCOME.ok) {
      counts.acknowledgedWrites++;
      if (!Number.isNaN(s.epoch.data[i]!)) counts.withEpoch++;
    }
  }
  return counts;
}

const UNRECORDED = 'the load generator did not record it (a k6 script that keeps only k6 request samples?)';

/** The metrics whose checker lacks a field in every attempt it would read, and why. */
export function unrecordedFields(c: ResponseFieldCounts): NotMeasured {
  const why: NotMeasured = {};
  if (c.acknowledgedWrites > 0 && c.withEpoch === 0)
    why.split_brain = `no acknowledged write in the history carries the primary epoch (X-Primary-Epoch): ${UNRECORDED}`;
  if (c.responses > 0 && c.withBodyHash === 0)
    why.outcome_flips = `no response in the history carries a body hash: ${UNRECORDED}`;
  if (c.answeredReads > 0 && c.withBalance === 0)
    why.stale_reads = `no answered read in the history carries the balance it returned: ${UNRECORDED}`;
  return why;
}

/** The checker (CHECKER_ANOMALIES name) that produces each metric unrecordedFields may name. */
export const CHECKER_OF_FIELD_METRIC = {
  split_brain: 'split-brain',
  outcome_flips: 'idempotency',
  stale_reads: 'reads',
} as const;

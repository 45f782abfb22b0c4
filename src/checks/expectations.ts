/**
 * What the checkers compare the run against: the closed system the load engine set up (accounts and
 * their funding), the status codes the stack documents, the recovery rules and which region's ledger
 * is the truth (the final primary's).
 */
import { IETF_STATUSES, type ExpectedStatuses } from '../contract/stack-http.js';

export interface CheckExpectations {
  /** Customer accounts: how many, the initial balance of each (minor units) and their currency. */
  accounts: { count: number; funding: number; currency: string };
  /** Statuses that mean "definitely no effect", from the scenario's `idempotency` section. */
  statuses: ExpectedStatuses;
  /** The region whose ledger is the truth: the primary at the end of the run (after heal and settle). */
  authoritativeRegion: string;
  /** Recovery windows by intended start, ms (checks.window, default 250). */
  windowMs: number;
  /** How long r >= θ must hold to call the system recovered, ms (checks.recoveryHold, default 5000). */
  recoveryHoldMs: number;
  /** Optional p99 bound (ms) a recovered window must also meet (checks.recoveryP99). */
  recoveryP99Ms?: number;
  /** The SLO success rate (steadyState.successRate, default 0.99). */
  sloSuccessRate: number;
  /** Length of the steady-state window before the first fault used for the baseline, ms; all of it when unset. */
  steadyStateMs?: number;
  /** How many faults the scenario plans (for the reason a run has no recovery metrics); unknown when unset. */
  plannedFaults?: number;
  /** How many examples each anomaly summary keeps (checks.examples, default 10). */
  examples: number;
}

export type CheckExpectationsInput = Pick<CheckExpectations, 'accounts' | 'authoritativeRegion'> &
  Partial<Omit<CheckExpectations, 'accounts' | 'authoritativeRegion'>>;

export function withDefaults(input: CheckExpectationsInput): CheckExpectations {
  return {
    statuses: IETF_STATUSES,
    windowMs: 250,
    recoveryHoldMs: 5000,
    sloSuccessRate: 0.99,
    examples: 10,
    ...input,
  };
}

/** Fails every status documents as "no effect, caused by the client" (declines, 409, 422, 400, 404). */
export function clientCausedStatuses(statuses: ExpectedStatuses): Set<number> {
  return new Set([
    statuses.decline,
    statuses.mismatch,
    statuses.inFlight,
    statuses.missingKey,
    400,
    404,
    422,
  ]);
}

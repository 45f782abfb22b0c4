/**
 * One client request as the checkers see it: invoke -> ok | fail | info (Jepsen's classes).
 * The load engine (and the k6 NDJSON reader) produce Attempts; the checkers consume them.
 * On disk they travel as k6 JSON-output Point lines (see codec.ts).
 */
import type { PaymentPayload } from '../contract/payment.js';
import { IETF_STATUSES, type ExpectedStatuses } from '../contract/stack-http.js';

export type Outcome = 'ok' | 'fail' | 'info';

export type AttemptKind =
  | 'first' // a new payment with a fresh idempotency key
  | 'retry' // the client retried after an info/failed attempt (same key, same payload)
  | 'replay' // a deliberate replay of a completed payment (same key, same payload)
  | 'concurrent' // the same key sent again at the same time (possibly to another region)
  | 'mismatch' // the same key reused with a changed payload
  | 'read'; // a balance read (stale-read checks)

export interface Attempt {
  /** Sequence number within the run, unique. */
  seq: number;
  kind: AttemptKind;
  /** `router` or a region name when the request went straight to a region's API. */
  target: string;
  /** Idempotency key (payments only). */
  key?: string;
  /** Short hash of the canonical JSON payload, so mismatches are visible without the body. */
  payloadHash?: string;
  payload?: PaymentPayload;
  /** For reads: the account read. */
  account?: string;
  /** Epoch ms: when the open-model schedule meant the request to start, when it started, when it ended. */
  intendedStart: number;
  start: number;
  end: number;
  /** HTTP status; 0 when no response (timeout, reset, refused). */
  status: number;
  /** Network error code when status is 0: `timeout`, `ECONNRESET`, `ECONNREFUSED`, ... (CANCELLED_ERROR: ours). */
  error?: string;
  outcome: Outcome;
  /** Essentials of the response. */
  paymentId?: string;
  servedBy?: string;
  epoch?: number;
  /** Hash of the response body with volatile fields dropped (outcome-flip checks). */
  bodyHash?: string;
  /** For reads: the balance returned. */
  balance?: number;
}

/** Classify a response into Jepsen's classes (checkers.md "Attempt classes"). */
export function classifyStatus(status: number, expected: ExpectedStatuses = IETF_STATUSES): Outcome {
  if (status >= 200 && status < 300) return 'ok';
  if (
    status === expected.missingKey ||
    status === expected.mismatch ||
    status === expected.inFlight ||
    status === expected.decline ||
    status === 400 ||
    status === 404 ||
    status === 422
  )
    return 'fail';
  // 0 (no response), 5xx, gateway errors and anything undocumented: effect unknown.
  return 'info';
}

/** The error of an attempt the harness cancelled itself (the load stopped while it was in flight). */
export const CANCELLED_ERROR = 'aborted';

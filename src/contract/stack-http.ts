/**
 * The stack HTTP contract: the paths, headers and statuses any payment stack under test answers with,
 * and the harness (load engine, checkers, drivers) relies on. The reference stack (stack/) implements
 * it; README "The stack contract" describes it for people.
 */
import { z } from 'zod';

/** Paths of a region's payments API, the router and the controller. */
export const STACK_PATHS = {
  /** `POST` a payment (needs `Idempotency-Key`); `GET /v1/payments/:id` reads one. */
  payments: '/v1/payments',
  /** `GET` every customer balance (one snapshot of one database); `/v1/accounts/:id` reads one. */
  accounts: '/v1/accounts',
  /** `GET` the region's ledger as NDJSON (contract/ledger-export.ts). */
  ledgerExport: '/v1/ledger/export',
  /** Controller: primary, epoch and per-region replication role and lag. */
  controllerStatus: '/status',
  /** Router: the region it currently prefers. */
  routerStatus: '/router/status',
} as const;

/** Header names (HTTP header names are case-insensitive; clients compare them in lower case). */
export const STACK_HEADERS = {
  /** Request: the client's key; a retry with the same key and payload must not apply twice. */
  idempotencyKey: 'Idempotency-Key',
  /** Response: the region whose API answered. */
  servedByRegion: 'X-Served-By-Region',
  /** Response: the epoch of the primary the write went to (also on the ledger export). */
  primaryEpoch: 'X-Primary-Epoch',
  /** Response: `true` when the answer is the stored one of an earlier request with the same key. */
  idempotentReplayed: 'Idempotent-Replayed',
} as const;

/** Statuses that mean "definitely no effect" (IETF Idempotency-Key draft defaults, Stripe-style overrides). */
export interface ExpectedStatuses {
  /** No `Idempotency-Key`: 400. */
  missingKey: number;
  /** The key was used with another payload: 422 (IETF) or 400 (Stripe). */
  mismatch: number;
  /** A request with the key is still in flight: 409. */
  inFlight: number;
  /** Declined (insufficient funds): 402. */
  decline: number;
}

/** The defaults, written once: the scenario schema, the stack's config and the checkers use these. */
export const IETF_STATUSES: Readonly<ExpectedStatuses> = {
  missingKey: 400,
  mismatch: 422,
  inFlight: 409,
  decline: 402,
};

const clientStatus = (fallback: number) => z.number().int().min(400).max(499).default(fallback);

/** The statuses as configuration (a scenario's `idempotency:`, the stack API's `statuses`). */
export const expectedStatusesSchema = z.strictObject({
  /** Status answered for a reused key with another payload: 422 (IETF) or 400 (Stripe). */
  mismatch: clientStatus(IETF_STATUSES.mismatch),
  inFlight: clientStatus(IETF_STATUSES.inFlight),
  missingKey: clientStatus(IETF_STATUSES.missingKey),
  decline: clientStatus(IETF_STATUSES.decline),
});

/**
 * The seeded bugs of the reference stack (stack/): each switches on one failure mode a checker exists
 * to catch. Off unless listed; the scenario schema, `chaosbank up --bugs` and the stack's own config
 * accept exactly these names.
 */
export const SEEDED_BUGS = [
  'idempotency-race', // check-then-insert without unique constraint or lock
  'idempotency-outside-tx', // idempotency record written outside the ledger transaction
  'split-debit-credit', // debit and credit in separate transactions
  'no-overdraft-check', // missing overdraft check
  'local-idempotency-cache', // region-local idempotency cache consulted instead of the database
  'ack-before-commit', // acknowledge before commit
  'no-fencing', // failover without fencing the old primary (split brain)
] as const;
export type SeededBug = (typeof SEEDED_BUGS)[number];

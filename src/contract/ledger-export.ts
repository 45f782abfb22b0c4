/**
 * The ledger export format: `GET /v1/ledger/export` streams NDJSON, one object per line. This is the
 * contract the checkers read; any payment stack can implement it.
 *
 * The initial funding is one transaction with `idempotency_key: null` whose entries debit the system
 * account `@funding` (marked `system: true`, allowed to go negative) and credit each customer account.
 * Transactions with a null key are system transactions: never "unknown writes".
 */
export interface ExportedAccount {
  type: 'account';
  id: string;
  currency: string;
  balance: number;
  system?: boolean;
}

export interface ExportedEntry {
  account: string;
  amount: number; // signed: negative debits, positive credits
  currency: string;
}

export interface ExportedTransaction {
  type: 'transaction';
  id: string;
  idempotency_key: string | null;
  created_at: string; // ISO 8601
  entries: ExportedEntry[];
}

/** The last line of a complete export; its absence means the export was cut short. */
export interface ExportEnd {
  type: 'end';
  accounts: number;
  transactions: number;
  /** The serving region and its role when the export was taken. */
  region: string;
  role: 'primary' | 'standby' | 'fenced';
  epoch: number;
}

export type ExportLine = ExportedAccount | ExportedTransaction | ExportEnd;

export const FUNDING_ACCOUNT = '@funding';

/**
 * Small builders for hand-made histories and ledgers (tests, the seeded-bug matrix, examples in docs).
 * `makeLedger` derives every balance from the transactions, so a ledger it builds is consistent unless
 * the caller corrupts it on purpose.
 */
import { classifyStatus, type Attempt } from '../history/attempt.js';
import type { PaymentPayload } from '../contract/payment.js';
import { FUNDING_ACCOUNT, type ExportLine, type ExportedTransaction } from '../contract/ledger-export.js';

export interface FixtureTransfer {
  id: string;
  key: string | null;
  from: string;
  to: string;
  amount: number;
  /** Epoch ms; default 0. */
  createdAt?: number;
}

export interface FixtureLedger {
  region: string;
  role?: 'primary' | 'standby' | 'fenced';
  epoch?: number;
  accounts: string[];
  funding: number;
  currency: string;
  transfers: FixtureTransfer[];
  /** Leave out the end line (an export cut short). */
  cutShort?: boolean;
}

export function makeLedger(spec: FixtureLedger): ExportLine[] {
  const { currency } = spec;
  const balances = new Map<string, number>([[FUNDING_ACCOUNT, 0]]);
  const txs: ExportedTransaction[] = [
    {
      type: 'transaction',
      id: 'tx-funding',
      idempotency_key: null,
      created_at: new Date(0).toISOString(),
      entries: [
        { account: FUNDING_ACCOUNT, amount: -spec.funding * spec.accounts.length, currency },
        ...spec.accounts.map((account) => ({ account, amount: spec.funding, currency })),
      ],
    },
  ];
  for (const t of spec.transfers) {
    txs.push({
      type: 'transaction',
      id: t.id,
      idempotency_key: t.key,
      created_at: new Date(t.createdAt ?? 0).toISOString(),
      entries: [
        { account: t.from, amount: -t.amount, currency },
        { account: t.to, amount: t.amount, currency },
      ],
    });
  }
  for (const tx of txs)
    for (const e of tx.entries) balances.set(e.account, (balances.get(e.account) ?? 0) + e.amount);
  const lines: ExportLine[] = [...balances].map(([id, balance]) => ({
    type: 'account' as const,
    id,
    currency,
    balance,
    ...(id === FUNDING_ACCOUNT ? { system: true } : {}),
  }));
  lines.push(...txs);
  if (!spec.cutShort) {
    lines.push({
      type: 'end',
      accounts: balances.size,
      transactions: txs.length,
      region: spec.region,
      role: spec.role ?? 'primary',
      epoch: spec.epoch ?? 1,
    });
  }
  return lines;
}

export interface FixtureAttempt extends Partial<Omit<Attempt, 'payload'>> {
  seq: number;
  start: number;
  payload?: PaymentPayload;
  /** Latency, ms (default 10): end = start + latency. */
  latency?: number;
}

/** An attempt with sensible defaults: a `first` payment to the router, answered 201 by us-east at epoch 1, with a body hash. */
export function makeAttempt(spec: FixtureAttempt): Attempt {
  const { latency = 10, ...rest } = spec;
  const status = rest.status ?? 201;
  const attempt: Attempt = {
    kind: 'first',
    target: 'router',
    intendedStart: rest.start,
    end: rest.start + latency,
    status,
    outcome: classifyStatus(status),
    ...rest,
  };
  if (status !== 0 && status < 500 && attempt.servedBy === undefined) attempt.servedBy = 'us-east';
  if (status >= 200 && status < 300 && attempt.epoch === undefined) attempt.epoch = 1;
  // as the load engine records it: the same answer to the same key hashes the same
  if (status !== 0 && attempt.bodyHash === undefined)
    attempt.bodyHash = `${status}:${attempt.key ?? attempt.account ?? ''}:${attempt.balance ?? ''}`;
  return attempt;
}

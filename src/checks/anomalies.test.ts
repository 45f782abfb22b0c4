import { describe, expect, it } from 'vitest';
import type { Attempt } from '../history/attempt.js';
import type { StackEvent } from '../contract/events.js';
import { checkRun } from './accumulator.js';
import { makeAttempt, makeLedger, type FixtureTransfer } from './fixtures.js';
import type { ExportLine } from '../contract/ledger-export.js';
import type { AnomalyType, Verdict } from './verdict.js';

const ACCOUNTS = ['a', 'b', 'c'];
const pay = (from: string, to: string, amount: number) => ({ from, to, amount, currency: 'USD' });

/** A correct history: replays, a retry after a timeout, a decline, unknown outcomes, a mismatch, a 409, a read. */
function baseAttempts(): Attempt[] {
  return [
    makeAttempt({ seq: 1, start: 1000, key: 'k1', payload: pay('a', 'b', 100), bodyHash: 'h1' }),
    makeAttempt({
      seq: 2,
      start: 1500,
      kind: 'replay',
      key: 'k1',
      payload: pay('a', 'b', 100),
      bodyHash: 'h1',
    }),
    makeAttempt({
      seq: 3,
      start: 2000,
      key: 'k2',
      payload: pay('b', 'c', 50),
      status: 0,
      error: 'timeout',
      latency: 2000,
    }),
    makeAttempt({
      seq: 4,
      start: 4100,
      kind: 'retry',
      key: 'k2',
      payload: pay('b', 'c', 50),
      bodyHash: 'h2',
    }),
    makeAttempt({
      seq: 5,
      start: 5000,
      key: 'k3',
      payload: pay('c', 'a', 5000),
      status: 402,
      bodyHash: 'h3',
    }),
    makeAttempt({ seq: 6, start: 6000, key: 'k4', payload: pay('a', 'c', 30), status: 503 }),
    makeAttempt({
      seq: 7,
      start: 7000,
      key: 'k5',
      payload: pay('c', 'b', 20),
      status: 0,
      error: 'ECONNRESET',
    }),
    makeAttempt({ seq: 8, start: 8000, key: 'k6', payload: pay('a', 'b', 10), bodyHash: 'h6' }),
    makeAttempt({
      seq: 9,
      start: 8500,
      kind: 'mismatch',
      key: 'k6',
      payload: pay('a', 'b', 11),
      status: 422,
      bodyHash: 'h6m',
    }),
    makeAttempt({
      seq: 10,
      start: 9000,
      kind: 'concurrent',
      key: 'k7',
      payload: pay('b', 'a', 5),
      bodyHash: 'h7',
    }),
    makeAttempt({
      seq: 11,
      start: 9002,
      kind: 'concurrent',
      target: 'eu-west',
      key: 'k7',
      payload: pay('b', 'a', 5),
      status: 409,
    }),
    makeAttempt({ seq: 12, start: 10_000, kind: 'read', account: 'b', balance: 1075, status: 200 }),
  ];
}

function baseTransfers(): FixtureTransfer[] {
  return [
    { id: 'tx1', key: 'k1', from: 'a', to: 'b', amount: 100, createdAt: 1005 },
    { id: 'tx2', key: 'k2', from: 'b', to: 'c', amount: 50, createdAt: 2500 },
    { id: 'tx5', key: 'k5', from: 'c', to: 'b', amount: 20, createdAt: 7005 },
    { id: 'tx6', key: 'k6', from: 'a', to: 'b', amount: 10, createdAt: 8005 },
    { id: 'tx7', key: 'k7', from: 'b', to: 'a', amount: 5, createdAt: 9005 },
  ];
}

interface Case {
  attempts?: Attempt[];
  transfers?: FixtureTransfer[];
  replicaTransfers?: FixtureTransfer[];
  mutateLedger?: (lines: ExportLine[]) => void;
  mutateReplica?: (lines: ExportLine[]) => void;
  events?: StackEvent[];
}

function run(c: Case = {}): Verdict {
  const transfers = c.transfers ?? baseTransfers();
  const ledger = makeLedger({
    region: 'us-east',
    accounts: ACCOUNTS,
    funding: 1000,
    currency: 'USD',
    transfers,
  });
  c.mutateLedger?.(ledger);
  const replica = makeLedger({
    region: 'eu-west',
    role: 'standby',
    accounts: ACCOUNTS,
    funding: 1000,
    currency: 'USD',
    transfers: c.replicaTransfers ?? transfers,
  });
  c.mutateReplica?.(replica);
  return checkRun({
    expectations: { accounts: { count: 3, funding: 1000, currency: 'USD' }, authoritativeRegion: 'us-east' },
    attempts: c.attempts ?? baseAttempts(),
    ledgers: { 'us-east': ledger, 'eu-west': replica },
    events: c.events ?? [],
  });
}

const types = (v: Verdict): AnomalyType[] => v.checkers.flatMap((c) => c.anomalies.map((a) => a.type)).sort();
const example = (v: Verdict, type: AnomalyType) =>
  v.checkers.flatMap((c) => c.anomalies).find((a) => a.type === type)?.examples[0];

function tx(lines: ExportLine[], id: string) {
  const line = lines.find((l) => l.type === 'transaction' && l.id === id);
  if (line?.type !== 'transaction') throw new Error(`no ${id}`);
  return line;
}
function account(lines: ExportLine[], id: string) {
  const line = lines.find((l) => l.type === 'account' && l.id === id);
  if (line?.type !== 'account') throw new Error(`no ${id}`);
  return line;
}

describe('checkers on hand-made histories', () => {
  it('a correct history with retries, replays, declines, unknowns, a mismatch and a 409 has no anomaly', () => {
    const v = run();
    expect(types(v)).toEqual([]);
    expect(v.passed).toBe(true);
    expect(v.metrics).toMatchObject({
      anomalies: 0,
      duplicates: 0,
      lost_writes: 0,
      rpo_s: 0,
      unconverged_regions: 0,
    });
    // k4 (503 only) never got a definitive answer; k5 (reset only) neither
    expect(v.metrics.unresolved_payments).toBe(2);
  });

  it('payment-level figures: one payment per key, each succeeded, declined or unresolved', () => {
    const v = run();
    // k1 k2 (after a retry) k6 k7 succeeded, k3 declined (402), k4 k5 unresolved; 11 write attempts
    expect(v.metrics).toMatchObject({
      payments: 7,
      payments_succeeded: 4,
      payments_declined: 1,
      unresolved_payments: 2,
    });
    expect(v.metrics.attempts_per_payment).toBeCloseTo(11 / 7, 9);
  });

  it('duplicate application: a key applied twice', () => {
    const v = run({
      transfers: [...baseTransfers(), { id: 'tx1-again', key: 'k1', from: 'a', to: 'b', amount: 100 }],
    });
    expect(types(v)).toContain('duplicate-application');
    expect(v.metrics.duplicates).toBe(1);
    const e = example(v, 'duplicate-application')!;
    expect(e.key).toBe('k1');
    expect((e.evidence['ledger'] as unknown[]).length).toBe(2);
    expect((e.evidence['attempts'] as { start: string }[])[0]!.start).toBe(new Date(1000).toISOString());
    expect(v.checkers.find((c) => c.name === 'idempotency')!.passed).toBe(false);
  });

  it('cross-region duplicate: a key sent to two regions at once executed twice', () => {
    const v = run({
      transfers: [...baseTransfers(), { id: 'tx7-eu', key: 'k7', from: 'b', to: 'a', amount: 5 }],
    });
    expect(types(v)).toContain('cross-region-duplicate');
    expect(types(v)).not.toContain('duplicate-application');
    expect(example(v, 'cross-region-duplicate')!.evidence['targets']).toEqual(['router', 'eu-west']);
    expect(v.metrics.cross_region_duplicates).toBe(1);
    expect(v.metrics.duplicates).toBe(1);
  });

  it('lost acknowledged write, with the observed RPO from the promotion event', () => {
    const promoted: StackEvent = {
      time: 6000,
      type: 'failover.promoted',
      data: { epoch: 2, region: 'eu-west' },
    };
    const transfers = baseTransfers().filter((t) => t.key !== 'k2');
    const v = run({ transfers, events: [promoted] });
    expect(types(v)).toContain('lost-write');
    expect(example(v, 'lost-write')!.key).toBe('k2');
    // k2 acked at 4110 (retry start 4100 + 10 ms)
    expect(v.metrics.rpo_s).toBeCloseTo((6000 - 4110) / 1000, 6);
    expect(v.checkers.find((c) => c.name === 'rpo')!.passed).toBe(false);
  });

  it('an unknown (info) payment missing from the ledger is not a lost write', () => {
    const attempts = baseAttempts();
    attempts[11] = { ...attempts[11]!, balance: 1055 }; // the read now cannot include k5's +20
    expect(types(run({ attempts, transfers: baseTransfers().filter((t) => t.key !== 'k5') }))).toEqual([]);
  });

  it('phantom write: a declined payment present in the ledger', () => {
    const v = run({
      transfers: [...baseTransfers(), { id: 'tx3', key: 'k3', from: 'c', to: 'a', amount: 5000 }],
    });
    expect(types(v)).toContain('phantom-write');
    expect(example(v, 'phantom-write')!.key).toBe('k3');
  });

  it('unknown write: a transaction whose key no client sent; null-key system transactions are fine', () => {
    const v = run({
      transfers: [...baseTransfers(), { id: 'txz', key: 'zzz', from: 'a', to: 'b', amount: 1 }],
    });
    expect(types(v)).toContain('unknown-write');
    expect(example(v, 'unknown-write')!.key).toBe('zzz');
    const system = run({
      transfers: [...baseTransfers(), { id: 'sys', key: null, from: 'a', to: 'b', amount: 0 }],
    });
    expect(types(system)).not.toContain('unknown-write');
  });

  it('outcome flip: a replay answered with another body, or a decline that later turns ok', () => {
    const attempts = baseAttempts();
    attempts[1] = { ...attempts[1]!, bodyHash: 'other' };
    expect(types(run({ attempts }))).toEqual(['outcome-flip']);
    const flipped = [
      ...baseAttempts(),
      makeAttempt({
        seq: 13,
        start: 11_000,
        kind: 'replay',
        key: 'k3',
        payload: pay('c', 'a', 5000),
        bodyHash: 'h3ok',
      }),
    ];
    expect(types(run({ attempts: flipped }))).toContain('outcome-flip');
  });

  it('a 409 while in flight is not an outcome flip', () => {
    const attempts = [
      ...baseAttempts(),
      makeAttempt({
        seq: 13,
        start: 1001,
        kind: 'concurrent',
        key: 'k1',
        payload: pay('a', 'b', 100),
        status: 409,
      }),
    ];
    expect(types(run({ attempts }))).toEqual([]);
  });

  it('mismatch accepted: a reused key with another amount answered 201, or the ledger holding the new amount', () => {
    const attempts = baseAttempts();
    attempts[8] = { ...attempts[8]!, status: 201, outcome: 'ok', epoch: 1 };
    expect(types(run({ attempts }))).toContain('mismatch-accepted');
    const transfers = baseTransfers().map((t) => (t.key === 'k6' ? { ...t, amount: 11 } : t));
    const v = run({ transfers });
    expect(types(v)).toContain('mismatch-accepted');
    expect(example(v, 'mismatch-accepted')!.key).toBe('k6');
  });

  it('unbalanced entry: debits and credits of a transaction differ', () => {
    const v = run({
      mutateLedger: (lines) => {
        tx(lines, 'tx6').entries[1]!.amount = 12;
      },
    });
    expect(types(v)).toContain('unbalanced-entry');
    expect(example(v, 'unbalanced-entry')!.evidence['sums']).toEqual({ USD: 2 });
    expect(types(v)).toContain('conservation');
  });

  it('conservation: customer balances no longer sum to the funding', () => {
    const v = run({ mutateLedger: (lines) => void (account(lines, 'a').balance += 1) });
    expect(types(v)).toContain('conservation');
    expect(example(v, 'conservation')!.evidence['difference']).toBe(1);
  });

  it('balance bounds: a balance outside what the ok and info payments allow, or not matching its entries', () => {
    const v = run({
      transfers: [...baseTransfers(), { id: 'sys', key: null, from: 'a', to: 'b', amount: 500 }],
    });
    expect(types(v)).toEqual(['balance-bounds']);
    expect(v.metrics.balance_violations).toBe(2); // a and b
    const stored = run({ mutateLedger: (lines) => void (account(lines, 'c').balance -= 1) });
    expect(types(stored)).toContain('balance-bounds');
    expect(example(stored, 'balance-bounds')!.message).toMatch(/entries sum to 1030/);
  });

  it('negative balance on a customer account', () => {
    const v = run({
      transfers: [...baseTransfers(), { id: 'sys', key: null, from: 'a', to: 'b', amount: 1000 }],
    });
    expect(types(v)).toContain('negative-balance');
    expect(example(v, 'negative-balance')!.account).toBe('a');
  });

  it('stale read: a read after an ack that does not show it; reads during a payment may show either', () => {
    const attempts = baseAttempts();
    attempts[11] = { ...attempts[11]!, balance: 1000 };
    const v = run({ attempts });
    expect(types(v)).toEqual(['stale-read']);
    expect(example(v, 'stale-read')!.evidence).toMatchObject({ lower: 1055, upper: 1075 }); // k5 (unknown) may or may not show;
    for (const balance of [1000, 1050]) {
      const during = [
        ...baseAttempts(),
        makeAttempt({ seq: 20, start: 3000, kind: 'read', account: 'c', balance, status: 200 }),
      ];
      expect(types(run({ attempts: during }))).toEqual([]);
    }
  });

  it('split brain: an old epoch acknowledges a write after a newer epoch did; two exports claim primary', () => {
    const attempts = baseAttempts();
    attempts[9] = { ...attempts[9]!, epoch: 2, servedBy: 'eu-west' };
    attempts.push(
      makeAttempt({ seq: 13, start: 9500, key: 'k8', payload: pay('a', 'b', 1), epoch: 1, bodyHash: 'h8' }),
    );
    const transfers = [...baseTransfers(), { id: 'tx8', key: 'k8', from: 'a', to: 'b', amount: 1 }];
    const v = run({ attempts, transfers });
    expect(types(v)).toEqual(['split-brain']);
    expect(example(v, 'split-brain')!.evidence).toMatchObject({
      staleEpoch: 1,
      newerEpoch: 2,
      lateWrites: 1,
    });
    // epochs in order (old before new) are a clean failover
    const clean = baseAttempts();
    clean[9] = { ...clean[9]!, epoch: 2 };
    expect(types(run({ attempts: clean }))).toEqual([]);
    const twoPrimaries = run({
      mutateReplica: (lines) => {
        const end = lines.at(-1);
        if (end?.type === 'end') end.role = 'primary';
      },
    });
    expect(types(twoPrimaries)).toEqual(['split-brain']);
  });

  it('no convergence: a region missing a transaction, or an export cut short', () => {
    const v = run({ replicaTransfers: baseTransfers().filter((t) => t.id !== 'tx5') });
    expect(types(v)).toEqual(['no-convergence']);
    const e = example(v, 'no-convergence')!;
    expect(e.region).toBe('eu-west');
    expect(e.evidence['missing']).toEqual({ count: 1, ids: ['tx5'] });
    expect(v.metrics.unconverged_regions).toBe(1);
    const cut = run({ mutateReplica: (lines) => void lines.pop() });
    expect(types(cut)).toEqual(['no-convergence']);
    expect(example(cut, 'no-convergence')!.message).toMatch(/cut short/);
    const lost = run({ mutateReplica: (lines) => void lines.splice(lines.length - 2, 1) });
    expect(types(lost)).toEqual(['no-convergence']);
    expect(
      lost.checkers
        .flatMap((c) => c.anomalies)[0]!
        .examples.map((e) => e.message)
        .join(' '),
    ).toMatch(/announces 4 accounts and 6 transactions but holds 4 and 5: lines were lost/);
  });

  it('without the authoritative export the ledger checkers fail as not checked', () => {
    const v = checkRun({
      expectations: {
        accounts: { count: 3, funding: 1000, currency: 'USD' },
        authoritativeRegion: 'ap-south',
      },
      attempts: baseAttempts(),
      ledgers: {},
    });
    expect(v.passed).toBe(false);
    expect(v.checkers.find((c) => c.name === 'ledger')!.summary).toMatch(
      /not checked: no ledger export from ap-south/,
    );
  });

  it('without the authoritative export reads are not checked: which unknown payments landed is not known', () => {
    // A read that saw an unknown-outcome payment (k5) is fine; without the ledger no bound can say so.
    const attempts = [
      ...baseAttempts(),
      makeAttempt({
        seq: 30,
        start: 7000,
        key: 'k9',
        payload: pay('a', 'c', 40),
        status: 0,
        error: 'timeout',
      }),
      makeAttempt({ seq: 31, start: 9500, kind: 'read', account: 'c', balance: 1070, status: 200 }),
    ];
    const withLedger = run({
      attempts,
      transfers: [...baseTransfers(), { id: 'tx9', key: 'k9', from: 'a', to: 'c', amount: 40 }],
    });
    expect(types(withLedger)).toEqual([]);
    const v = checkRun({
      expectations: {
        accounts: { count: 3, funding: 1000, currency: 'USD' },
        authoritativeRegion: 'ap-south',
      },
      attempts,
      ledgers: {},
    });
    const reads = v.checkers.find((c) => c.name === 'reads')!;
    expect(reads.summary).toMatch(/not checked: no ledger export from ap-south/);
    expect(reads.anomalies.flatMap((a) => a.examples)).toEqual([]);
  });
});

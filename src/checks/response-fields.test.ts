import { describe, expect, it } from 'vitest';
import type { Attempt } from '../history/attempt.js';
import { checkRun } from './accumulator.js';
import { makeLedger } from './fixtures.js';

const payment = (seq: number, fields: Partial<Attempt> = {}): Attempt => ({
  seq,
  kind: 'first',
  target: 'router',
  key: `k${seq}`,
  payload: { from: 'acc-0001', to: 'acc-0002', amount: 1, currency: 'USD' },
  intendedStart: 1000 + seq,
  start: 1000 + seq,
  end: 1010 + seq,
  status: 201,
  outcome: 'ok',
  ...fields,
});
const read = (seq: number, fields: Partial<Attempt> = {}): Attempt => ({
  seq,
  kind: 'read',
  target: 'router',
  account: 'acc-0001',
  intendedStart: 2000 + seq,
  start: 2000 + seq,
  end: 2010 + seq,
  status: 200,
  outcome: 'ok',
  ...fields,
});

function verdictOf(attempts: Attempt[]) {
  return checkRun({
    expectations: { accounts: { count: 2, funding: 1000, currency: 'USD' }, authoritativeRegion: 'us-east' },
    attempts,
    ledgers: {
      'us-east': makeLedger({
        region: 'us-east',
        accounts: ['acc-0001', 'acc-0002'],
        funding: 1000,
        currency: 'USD',
        transfers: [],
      }),
    },
  });
}

describe('checkers blind to a response field the history did not record', () => {
  it('report split_brain, outcome_flips and stale_reads as not measured, never as 0 / "no anomaly"', () => {
    const verdict = verdictOf([payment(0), payment(1), read(2)]);
    for (const name of ['split_brain', 'outcome_flips', 'stale_reads'] as const) {
      expect(verdict.metrics[name]).toBeNull();
      expect(verdict.notMeasured?.[name]).toMatch(/load generator did not record it/);
    }
    const byName = Object.fromEntries(verdict.checkers.map((c) => [c.name, c]));
    expect(byName['split-brain']).toMatchObject({
      passed: false,
      summary: expect.stringMatching(/X-Primary-Epoch/),
    });
    expect(byName.reads).toMatchObject({ passed: false, summary: expect.stringMatching(/balance/) });
    expect(byName.idempotency!.passed).toBe(false);
  });

  it('measure them when the fields are there', () => {
    const verdict = verdictOf([
      payment(0, { epoch: 1, bodyHash: 'a', servedBy: 'us-east' }),
      read(1, { balance: 1000, bodyHash: 'b' }),
    ]);
    expect(verdict.notMeasured?.split_brain ?? '').not.toMatch(/did not record/);
    expect(verdict.notMeasured?.outcome_flips ?? '').not.toMatch(/did not record/);
    expect(verdict.notMeasured?.stale_reads ?? '').not.toMatch(/did not record/);
  });
});

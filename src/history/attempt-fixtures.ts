/** Attempts for the codec and reader tests (not part of the build). */
import fc from 'fast-check';
import type { Attempt } from './attempt.js';

/** One attempt with every field an encoded history line can carry. */
export const samplePayment: Readonly<Attempt> = {
  seq: 7,
  kind: 'retry',
  target: 'router',
  key: 'cbx-7',
  payloadHash: 'abc',
  payload: { from: 'acc-0001', to: 'acc-0002', amount: 1234, currency: 'USD' },
  intendedStart: 1_790_000_000_000.125,
  start: 1_790_000_000_001.5,
  end: 1_790_000_000_020.25,
  status: 201,
  outcome: 'ok',
  paymentId: 'pay_9',
  servedBy: 'eu-west',
  epoch: 3,
  bodyHash: 'def',
};

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const time = fc.double({ min: 1_600_000_000_000, max: 2_000_000_000_000, noNaN: true });
/** Any attempt: every optional field may be missing, strings are any graphemes, times sub-ms. */
export const attemptArb: fc.Arbitrary<Attempt> = fc
  .record(
    {
      seq: fc.nat(),
      kind: fc.constantFrom('first', 'retry', 'replay', 'concurrent', 'mismatch', 'read'),
      target: text,
      key: text,
      payloadHash: text,
      payload: fc.record({ from: text, to: text, amount: fc.integer({ min: 1, max: 1e9 }), currency: text }),
      account: text,
      intendedStart: time,
      start: time,
      end: time,
      status: fc.constantFrom(0, 200, 201, 402, 409, 422, 500, 503),
      error: fc.constantFrom('timeout', 'ECONNRESET', 'ECONNREFUSED', 'dial_timeout', 'weird'),
      outcome: fc.constantFrom('ok', 'fail', 'info'),
      paymentId: text,
      servedBy: text,
      epoch: fc.nat(),
      bodyHash: text,
      balance: fc.integer(),
    },
    { requiredKeys: ['seq', 'kind', 'target', 'intendedStart', 'start', 'end', 'status', 'outcome'] },
  )
  .map((a) => (a.status === 0 ? a : (({ error: _, ...rest }) => rest)(a)) as Attempt);

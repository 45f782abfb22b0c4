/** One attempt with every field an encoded history line can carry, for the codec and reader tests. */
import type { Attempt } from './attempt.js';

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

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import fc from 'fast-check';
import type { Attempt } from './attempt.js';
import { attemptArb, samplePayment } from './attempt-fixtures.js';
import {
  decodeLine,
  encodeAttempt,
  encodeAttemptInto,
  encodeDropped,
  formatRfc3339,
  k6ErrorCode,
  parseRfc3339,
} from './codec.js';
import type { K6Line } from './codec.js';

/** The shape k6 writes for a Point (k6 docs, internal/output/json): metadata values are strings. */
const k6Point = z.strictObject({
  type: z.literal('Point'),
  metric: z.string(),
  data: z.strictObject({
    time: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}(Z|[+-]\d{2}:\d{2})$/),
    value: z.number(),
    tags: z.record(z.string(), z.string()).nullable(),
    metadata: z.record(z.string(), z.string()).optional(),
  }),
});

const payment: Attempt = { ...samplePayment };

/** The line as JSON.stringify writes it from plain objects: what the byte encoder must equal. */
function stringifiedLine(a: Attempt): string {
  const read = a.kind === 'read';
  const tags: Record<string, string> = {
    status: String(a.status),
    method: read ? 'GET' : 'POST',
    name: read ? 'GET /v1/accounts/{id}' : 'POST /v1/payments',
    scenario: 'payments',
    expected_response: String(a.outcome !== 'info'),
    kind: a.kind,
    target: a.target,
  };
  if (a.servedBy !== undefined) tags.region = a.servedBy;
  if (a.status === 0) tags.error_code = k6ErrorCode(a.error);
  const meta: Record<string, string | undefined> = {
    seq: String(a.seq),
    intended_ms: a.intendedStart.toFixed(3),
    start_ms: a.start.toFixed(3),
    end_ms: a.end.toFixed(3),
    outcome: a.outcome,
    key: a.key,
    payload_hash: a.payloadHash,
    ...(a.payload === undefined
      ? {}
      : {
          from: a.payload.from,
          to: a.payload.to,
          amount: String(a.payload.amount),
          currency: a.payload.currency,
        }),
    account: a.account,
    error: a.error,
    payment_id: a.paymentId,
    epoch: a.epoch === undefined ? undefined : String(a.epoch),
    body_hash: a.bodyHash,
    balance: a.balance === undefined ? undefined : String(a.balance),
  };
  const data = {
    time: formatRfc3339(a.end),
    value: Math.round((a.end - a.intendedStart) * 1000) / 1000,
    tags,
    metadata: meta,
  };
  return JSON.stringify({ type: 'Point', metric: 'http_req_duration', data });
}

describe('history codec', () => {
  it('encodes an attempt as a valid k6 Point with our tags and metadata, and decodes it back', () => {
    const line = JSON.parse(encodeAttempt(payment)) as K6Line;
    const point = k6Point.parse(line);
    expect(point.metric).toBe('http_req_duration');
    expect(point.data.value).toBeCloseTo(20.125, 3); // from the intended start
    expect(point.data.tags).toMatchObject({
      status: '201',
      method: 'POST',
      name: 'POST /v1/payments',
      scenario: 'payments',
      expected_response: 'true',
      kind: 'retry',
      target: 'router',
      region: 'eu-west',
    });
    expect(point.data.metadata).toMatchObject({
      key: 'cbx-7',
      payment_id: 'pay_9',
      epoch: '3',
      outcome: 'ok',
      seq: '7',
    });
    expect(decodeLine(line, 0)).toEqual(payment);
  });

  it('writes, byte for byte, the line JSON.stringify would write for any attempt', () => {
    fc.assert(
      fc.property(attemptArb, (attempt) => {
        expect(encodeAttempt(attempt)).toBe(stringifiedLine(attempt));
      }),
      { numRuns: 1000 },
    );
  });

  it('writes into a buffer at a position, and refuses when the buffer may be too short', () => {
    const expected = stringifiedLine(payment);
    const buf = Buffer.alloc(4096, 0x78);
    const end = encodeAttemptInto(payment, buf, 10);
    expect(buf.toString('utf8', 10, end)).toBe(expected);
    expect(buf.subarray(0, 10).toString()).toBe('x'.repeat(10));
    expect(encodeAttemptInto(payment, Buffer.alloc(expected.length), 0)).toBe(-1);
    const long: Attempt = { ...payment, bodyHash: '\u2028'.repeat(3000) };
    expect(JSON.parse(encodeAttempt(long))).toMatchObject({
      data: { metadata: { body_hash: long.bodyHash } },
    });
  });

  it('escapes values that came from the server', () => {
    const odd: Attempt = { ...payment, servedBy: 'eu"west\\\n', paymentId: 'pay_\u2028"x' };
    const line = JSON.parse(encodeAttempt(odd)) as K6Line;
    k6Point.parse(line);
    expect(decodeLine(line, 0)).toEqual(odd);
  });

  it('tags network errors with k6 error codes and reads them back', () => {
    const timeout: Attempt = {
      ...payment,
      status: 0,
      outcome: 'info',
      error: 'timeout',
      paymentId: undefined,
      servedBy: undefined,
    };
    delete timeout.paymentId;
    delete timeout.servedBy;
    const line = JSON.parse(encodeAttempt(timeout)) as K6Line & { data: { tags: Record<string, string> } };
    expect(line.data.tags.error_code).toBe('1050');
    expect(line.data.tags.expected_response).toBe('false');
    expect(decodeLine(line, 0)).toEqual(timeout);
    // Plain k6 (no metadata): the code alone maps back.
    const plain = { ...line, data: { ...line.data, metadata: undefined } };
    expect(decodeLine(plain, 3)).toMatchObject({ error: 'timeout', outcome: 'info', seq: 3 });
  });

  it('round-trips reads with balances, and writes dropped demand as dropped_iterations', () => {
    const read: Attempt = {
      seq: 1,
      kind: 'read',
      target: 'router',
      account: 'acc-0042',
      intendedStart: 1000,
      start: 1000.5,
      end: 1002,
      status: 200,
      outcome: 'ok',
      balance: 99,
      bodyHash: 'x',
    };
    const line = JSON.parse(encodeAttempt(read)) as K6Line;
    k6Point.parse(line);
    expect(decodeLine(line, 0)).toEqual(read);
    const dropped = JSON.parse(encodeDropped(5000, 'router')) as K6Line;
    expect(k6Point.parse(dropped).metric).toBe('dropped_iterations');
    expect(decodeLine(dropped, 0)).toBeUndefined();
  });

  it('formats RFC 3339 with nanoseconds and parses any offset back to the same instant', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.integer({ min: 0, max: 999 }),
        (ms, micros) => {
          const t = ms + micros / 1000;
          const text = formatRfc3339(t);
          expect(text).toMatch(/\.\d{9}(Z|[+-]\d{2}:\d{2})$/);
          expect(Math.abs(parseRfc3339(text) - t)).toBeLessThan(0.002);
        },
      ),
    );
    expect(parseRfc3339('2017-05-09T14:34:45.239531499+02:00')).toBeCloseTo(
      Date.UTC(2017, 4, 9, 12, 34, 45, 239) + 0.531499,
      3,
    );
    expect(Number.isNaN(parseRfc3339('yesterday'))).toBe(true);
  });

  it('rejects malformed http_req_duration points with a reason', () => {
    expect(() =>
      decodeLine({ type: 'Point', metric: 'http_req_duration', data: { time: 'x', value: 1 } }, 0),
    ).toThrow(/RFC 3339/);
    expect(() =>
      decodeLine({ type: 'Point', metric: 'http_req_duration', data: { time: '2021-02-24T13:37:10Z' } }, 0),
    ).toThrow(/value/);
  });
});

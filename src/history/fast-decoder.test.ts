import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Attempt } from './attempt.js';
import { samplePayment } from './attempt-fixtures.js';
import { decodeLine, encodeAttempt } from './codec.js';
import type { K6Line } from './codec.js';
import { OwnLineDecoder } from './fast-decoder.js';

const payment: Attempt = { ...samplePayment, balance: 10 };

/** The line with one tag or metadata value replaced (the field keeps its place), or removed. */
function withField(
  line: string,
  where: 'tags' | 'metadata',
  name: string,
  value: string | undefined,
): string {
  const parsed = JSON.parse(line) as { data: Record<string, Record<string, string>> };
  const fields = parsed.data[where]!;
  if (value === undefined) delete fields[name];
  else fields[name] = value;
  return JSON.stringify(parsed);
}

/** The fast path gives what JSON.parse + decodeLine gives, or leaves the line to it (null). */
function expectSameAsGeneral(decoder: OwnLineDecoder, line: string, mayDecline = false): void {
  const bytes = Buffer.from(`\n${line}\n`);
  const own = decoder.decode(bytes, 1, bytes.length - 1, 3);
  if (own === null && mayDecline) return;
  expect(own, line).not.toBeNull();
  expect(own).toEqual(decodeLine(JSON.parse(line) as K6Line, 3));
}

const ODD_NUMBERS = [
  '0',
  '-0',
  '007',
  ' 7',
  '7 ',
  '\u00a07',
  '1e3',
  '',
  '-',
  '.5',
  '1.',
  'Infinity',
  '0x10',
  'abc',
  'é',
  '9007199254740993',
  '1735689600005.496',
  '-12.5',
];

describe('OwnLineDecoder', () => {
  it('reads numeric tags and metadata in any form as decodeLine does (-0, spaces, exponents, junk)', () => {
    const decoder = new OwnLineDecoder();
    const line = encodeAttempt(payment);
    for (const value of ODD_NUMBERS) {
      expectSameAsGeneral(decoder, withField(line, 'tags', 'status', value));
      for (const name of ['seq', 'intended_ms', 'start_ms', 'end_ms', 'amount', 'epoch', 'balance'])
        expectSameAsGeneral(decoder, withField(line, 'metadata', name, value));
    }
  });

  it('reads kind, outcome and method as decodeLine does, known or not', () => {
    const decoder = new OwnLineDecoder();
    const line = encodeAttempt(payment);
    for (const kind of ['first', 'read', 'READ', 'bogus', '', undefined]) {
      for (const method of ['GET', 'get', 'POST', undefined]) {
        expectSameAsGeneral(
          decoder,
          withField(withField(line, 'tags', 'kind', kind), 'tags', 'method', method),
        );
      }
    }
    for (const outcome of ['ok', 'fail', 'info', 'maybe', '', undefined])
      expectSameAsGeneral(decoder, withField(line, 'metadata', 'outcome', outcome));
    const failed = { ...payment, status: 0, outcome: 'info' as const, error: 'timeout' };
    for (const code of ['1050', '1211', '9999', undefined])
      expectSameAsGeneral(
        decoder,
        withField(
          withField(encodeAttempt(failed), 'metadata', 'error', undefined),
          'tags',
          'error_code',
          code,
        ),
      );
  });

  it('reads data.value as JSON does: plain, -0, exponents; anything that is not a JSON number is left alone', () => {
    const decoder = new OwnLineDecoder();
    const line = withField(
      withField(encodeAttempt(payment), 'metadata', 'start_ms', undefined),
      'metadata',
      'end_ms',
      undefined,
    );
    for (const value of ['0', '-0', '12.5', '1e3', '-2.5E-1', '123456789012345678'])
      expectSameAsGeneral(decoder, line.replace(/"value":[^,]*,/, `"value":${value},`));
    for (const value of ['01', '.5', '1.', '+1', '"1"', 'NaN', '1 '])
      expect(
        decoder.decode(
          Buffer.from(line.replace(/"value":[^,]*,/, `"value":${value},`)),
          0,
          Buffer.byteLength(line.replace(/"value":[^,]*,/, `"value":${value},`)),
          0,
        ),
      ).toBeNull();
  });

  it('reads data.time as parseRfc3339 does, second after second, with any fraction and offset', () => {
    const decoder = new OwnLineDecoder();
    // without end_ms the attempt's end is data.time itself
    const line = withField(encodeAttempt(payment), 'metadata', 'end_ms', undefined);
    const at = (time: string): string => line.replace(/"time":"[^"]*"/, `"time":"${time}"`);
    const fraction = fc.stringMatching(/^[0-9]{0,25}$/);
    const second = fc.integer({ min: 0, max: 3 }).map((s) => `2026-11-22T01:41:4${s}`);
    const offset = fc.constantFrom('Z', 'z', '+02:00', '-05:30');
    fc.assert(
      fc.property(fc.array(fc.tuple(second, fraction, offset), { maxLength: 30 }), (times) => {
        for (const [s, f, o] of times) {
          const time = f === '' ? `${s}${o}` : `${s}.${f}${o}`;
          expectSameAsGeneral(decoder, at(time));
        }
      }),
      { numRuns: 300 },
    );
    for (const bad of [
      'yesterday',
      '2026-11-22T01:41:40.Z',
      '2026-11-22T01:41:40.12-3Z',
      '2026-11-22T01:41:40.1.2Z',
    ])
      expect(decoder.decode(Buffer.from(at(bad)), 0, Buffer.byteLength(at(bad)), 0)).toBeNull();
  });

  it('reads non-ASCII and repeated values the same way, whichever comes first', () => {
    const decoder = new OwnLineDecoder();
    const odd: Attempt = { ...payment, servedBy: 'é-west', target: 'région', key: 'k€y', paymentId: 'pay_€' };
    for (const attempt of [payment, odd, payment, odd, { ...odd, servedBy: 'eu-west' }])
      expectSameAsGeneral(decoder, encodeAttempt(attempt));
  });
});

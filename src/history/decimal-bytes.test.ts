import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalFromBytes, isPlainJsonNumber } from './decimal-bytes.js';

const read = (text: string): number => {
  // inside a larger buffer, so the range matters
  const bytes = Buffer.from(`9${text}9`, 'latin1');
  return decimalFromBytes(bytes, 1, bytes.length - 1);
};

/** decimalFromBytes either declines (NaN) or gives exactly Number(text), -0 included. */
function expectNumberOrDecline(text: string): void {
  const value = read(text);
  if (!Number.isNaN(value))
    expect(Object.is(value, Number(text)), `${text}: ${value} vs ${Number(text)}`).toBe(true);
}

describe('decimalFromBytes', () => {
  it('is Number(text) on plain decimals, -0 and leading zeros included', () => {
    for (const text of [
      '0',
      '-0',
      '-0.000',
      '7',
      '007',
      '1.',
      '.5',
      '-.5',
      '5.496',
      '1735689600005.496',
      '1735689600000.200',
      '0.1',
      '123456789012.345',
      '9007199254740991',
      '-9007199254740991',
      '0.0000000000000000000001',
      '450359962737049.7',
    ]) {
      expect(Object.is(read(text), Number(text)), text).toBe(true);
    }
  });

  it('declines what it does not read exactly, so the caller uses Number(text)', () => {
    for (const text of [
      '',
      '-',
      '.',
      '-.',
      '1e3',
      '+1',
      ' 1',
      '1 ',
      '1.2.3',
      '--1',
      '0x10',
      'Infinity',
      '9007199254740993', // above 2^53: its digits are not one exact integer
      '90071992547409.93',
      '0.30000000000000004', // 17 digits
      '0.00000000000000000000001', // 23 fraction digits: 10^23 is not exact
    ]) {
      expect(read(text), text).toBeNaN();
    }
  });

  it('equals Number(text) whenever it answers, on any mix of digits, signs and dots', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[-0-9.]{0,24}$/), (text) => expectNumberOrDecline(text)),
      { numRuns: 5000 },
    );
  });

  it('answers, and equals Number(text), for doubles written with toFixed and for safe integers', () => {
    fc.assert(
      // at most 11 + 4 digits: below 2^53
      fc.property(
        fc.double({ min: -1e11, max: 1e11, noNaN: true }),
        fc.integer({ min: 0, max: 4 }),
        (x, digits) => {
          const text = x.toFixed(digits);
          expect(Object.is(read(text), Number(text)), text).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(Object.is(read(String(n)), n)).toBe(true);
      }),
    );
  });

  it('answers for up to 15 significant digits with the dot anywhere', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^-?[0-9]{1,15}$/), fc.nat(15), (digits, at) => {
        const negative = digits.startsWith('-') ? '-' : '';
        const plain = digits.slice(negative.length);
        const dot = Math.min(at, plain.length);
        const text = `${negative}${plain.slice(0, dot)}.${plain.slice(dot)}`;
        expect(Object.is(read(text), Number(text)), text).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('isPlainJsonNumber', () => {
  it('is the JSON number grammar without exponents', () => {
    const plainJson = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;
    fc.assert(
      fc.property(fc.stringMatching(/^[-+0-9.eE]{0,12}$/), (text) => {
        const bytes = Buffer.from(`x${text}x`, 'latin1');
        expect(isPlainJsonNumber(bytes, 1, bytes.length - 1), text).toBe(plainJson.test(text));
      }),
      { numRuns: 5000 },
    );
    for (const text of ['0', '-0', '0.5', '10', '-12.25'])
      expect(isPlainJsonNumber(Buffer.from(text), 0, text.length)).toBe(true);
    for (const text of ['', '-', '00', '01', '1.', '.5', '1e5', '+1', '-.5'])
      expect(isPlainJsonNumber(Buffer.from(text), 0, text.length)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JsonBytes } from './json-bytes.js';

function written(write: (out: JsonBytes) => void): string {
  const buf = Buffer.alloc(4096);
  const out = new JsonBytes().at(buf, 3);
  write(out);
  return buf.toString('utf8', 3, out.pos);
}

/** Doubles where the rounding cases live: epoch ms with sub-ms parts, halves, tiny and huge values. */
const interesting = fc.oneof(
  fc.double({ min: 0, max: 4_102_444_800_000, noNaN: true }),
  fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => ms + 0.0005),
  fc.integer({ min: 0, max: 4_102_444_800_000_000 }).map((us) => us / 1000),
  fc.integer({ min: 0, max: 999_999 }).map((n) => n / 2000),
  fc.double({ noNaN: true }),
  fc.constantFrom(
    0,
    -0,
    0.0005,
    0.0625,
    1.0005,
    2 ** 53,
    Number.MAX_SAFE_INTEGER - 0.5,
    1e21,
    Infinity,
    -Infinity,
    NaN,
  ),
);

describe('JsonBytes writes what JSON.stringify and String write', () => {
  it('fixed3 equals toFixed(3)', () => {
    fc.assert(
      fc.property(interesting, (n) => {
        expect(written((o) => o.fixed3(n))).toBe(n.toFixed(3));
      }),
      { numRuns: 5000 },
    );
  });

  it('milliseconds equals String(Math.round(n * 1000) / 1000)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          interesting,
          interesting.map((n) => -n),
        ),
        (n) => {
          expect(written((o) => o.milliseconds(n))).toBe(String(Math.round(n * 1000) / 1000));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('number equals String(n)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer(),
          fc.maxSafeInteger(),
          interesting,
          interesting.map((n) => -n),
        ),
        (n) => {
          expect(written((o) => o.number(n))).toBe(String(n));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('digits pads to the width asked for', () => {
    expect(written((o) => o.digits(42, 9))).toBe('000000042');
    expect(written((o) => o.digits(123456789012, 3))).toBe('123456789012');
  });

  it('string equals JSON.stringify, escapes and non-ASCII included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (text) => {
        expect(written((o) => o.string(text))).toBe(JSON.stringify(text));
      }),
      { numRuns: 500 },
    );
    expect(written((o) => o.string('a"b\\c\n\u2028\ud800'))).toBe(JSON.stringify('a"b\\c\n\u2028\ud800'));
  });

  it('writes into the buffer at the position asked for, and nothing else', () => {
    const buf = Buffer.alloc(16, 0x78);
    const out = new JsonBytes().at(buf, 4).ascii('ab').byte(0x3a).number(-7);
    expect(out.pos).toBe(9);
    expect(buf.toString('latin1')).toBe('xxxxab:-7xxxxxxx');
  });
});

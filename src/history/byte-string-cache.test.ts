import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteStringCache } from './byte-string-cache.js';

const get = (cache: ByteStringCache, bytes: Uint8Array): string => {
  // inside a larger buffer, so the range matters
  const buffer = Buffer.concat([Buffer.from([0x22]), bytes, Buffer.from([0x22])]);
  return cache.get(buffer, 1, buffer.length - 1);
};

describe('ByteStringCache', () => {
  it('gives the UTF-8 text of any bytes, first time or cached, ASCII or not, valid UTF-8 or not', () => {
    const cache = new ByteStringCache(64, 16);
    const value = fc.oneof(
      fc
        .constantFrom('acc-0001', 'acc-0002', 'USD', 'us-east', 'router', 'é€', '')
        .map((s) => Buffer.from(s)),
      fc.uint8Array({ maxLength: 24 }),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 50 }), (values) => {
        for (const bytes of values) expect(get(cache, bytes)).toBe(Buffer.from(bytes).toString('utf8'));
      }),
      { numRuns: 300 },
    );
    expect(cache.used).toBeLessThanOrEqual(64);
  });

  it('is right when values share a slot (with one slot, every value collides)', () => {
    const cache = new ByteStringCache(1, 8);
    for (const text of ['a', 'b', 'a', 'ab', 'ba', 'b', 'a', ''])
      expect(get(cache, Buffer.from(text))).toBe(text);
    expect(cache.used).toBe(1);
  });

  it('stays bounded whatever it is given: a fixed number of slots, long values never kept', () => {
    const cache = new ByteStringCache(256, 16);
    for (let i = 0; i < 100_000; i++) expect(get(cache, Buffer.from(`value-${i}`))).toBe(`value-${i}`);
    expect(cache.used).toBeLessThanOrEqual(256);
    const long = 'x'.repeat(17);
    const small = new ByteStringCache(4, 16);
    expect(get(small, Buffer.from(long))).toBe(long);
    expect(small.used).toBe(0);
  });

  it('wants a power of two slots', () => {
    expect(() => new ByteStringCache(100)).toThrow(RangeError);
  });
});

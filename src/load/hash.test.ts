import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hashString, hex53 } from './hash.js';

describe('hashString', () => {
  it('hashString is stable and short', () => {
    expect(hashString('abc')).toBe(hashString('abc'));
    expect(hashString('abc')).not.toBe(hashString('abd'));
    expect(hashString('abc')).toHaveLength(14);
  });

  it('hex53 writes what Number#toString(16) writes, zero-padded to 14 digits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0x1fffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (high, low) => {
          expect(hex53(high, low)).toBe((high * 2 ** 32 + low).toString(16).padStart(14, '0'));
        },
      ),
    );
    expect(hex53(-1, -1)).toBe('1fffffffffffff');
  });
});

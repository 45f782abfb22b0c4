import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortOrder } from './sort-order.js';

describe('sortOrder', () => {
  it('orders positions by value, equal values by position, as a stable comparator sort does', () => {
    const value = fc.oneof(
      fc.integer({ min: -5, max: 5 }),
      fc.double({ noNaN: true, noDefaultInfinity: false }),
      fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 300 }), fc.nat(3), fc.nat(3), (list, before, after) => {
        const values = new Float64Array([
          ...Array<number>(before).fill(99),
          ...list,
          ...Array<number>(after).fill(-99),
        ]);
        const expected = list
          .map((_, i) => i)
          .sort((x, y) => (list[x]! < list[y]! ? -1 : list[x]! > list[y]! ? 1 : x - y));
        expect([...sortOrder(values, before, before + list.length)]).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('returns the identity for a run already in order, and handles empty and one-element runs', () => {
    expect([...sortOrder(new Float64Array([1, 2, 2, 3]), 0, 4)]).toEqual([0, 1, 2, 3]);
    expect([...sortOrder(new Float64Array([3, 1]), 0, 0)]).toEqual([]);
    expect([...sortOrder(new Float64Array([3, 1]), 1, 2)]).toEqual([0]);
  });
});

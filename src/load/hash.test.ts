import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson, hashJsonValue, hashString } from './hash.js';

describe('response body hash', () => {
  it('ignores object key order at every depth', () => {
    const a = JSON.parse('{"id":"pay_1","amount":100,"meta":{"x":1,"y":[1,{"p":true,"q":null}]}}') as unknown;
    const b = JSON.parse('{"meta":{"y":[1,{"q":null,"p":true}],"x":1},"amount":100,"id":"pay_1"}') as unknown;
    expect(hashJsonValue(a)).toBe(hashJsonValue(b));
    expect(hashJsonValue(a)).toMatch(/^[0-9a-f]{14}$/);
  });

  it('tells apart bodies whose canonical JSON differs', () => {
    const distinct = [
      { id: 'pay_1', amount: 100 },
      { id: 'pay_1', amount: 101 },
      { id: 'pay_1', amount: '100' },
      { id: 'pay_2', amount: 100 },
      { id: 'pay_1' },
      { id: 'pay_1', amount: 100, extra: null },
      { 'id:"a': 'b' },
      { id: ':"ab' },
      [1, 2],
      [2, 1],
      [[1], 2],
      [1, [2]],
      { a: { b: 1 } },
      { b: { a: 1 } },
      '',
      null,
      true,
      false,
      0,
    ];
    const hashes = distinct.map(hashJsonValue);
    expect(new Set(hashes).size).toBe(distinct.length);
  });

  it('agrees with canonical JSON equality on random values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (x, y) => {
        const sameCanonical = canonicalJson(x) === canonicalJson(y);
        expect(hashJsonValue(x) === hashJsonValue(y)).toBe(sameCanonical);
      }),
      { numRuns: 500 },
    );
  });

  it('hashString is stable and short', () => {
    expect(hashString('abc')).toBe(hashString('abc'));
    expect(hashString('abc')).not.toBe(hashString('abd'));
    expect(hashString('abc')).toHaveLength(14);
  });
});

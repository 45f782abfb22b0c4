import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson, hashString } from './hash.js';
import { hashJsonBytes, hashJsonValue, readResponseBody } from './response-body.js';

const bytesOf = (text: string): Buffer => Buffer.from(text, 'utf8');
const fromBytes = (text: string): string | undefined => {
  const bytes = bytesOf(text);
  return hashJsonBytes(bytes, 0, bytes.length);
};

/** What the engine did before reading bytes: parse the text, hash the value (or the text). */
function generalPath(text: string): string {
  try {
    return hashJsonValue(JSON.parse(text));
  } catch {
    return hashString(text);
  }
}

/** JSON.stringify with random whitespace (JSON allows space, tab, CR and LF) between tokens. */
function withWhitespace(value: unknown, pick: () => string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value))
    return `[${value.map((v) => pick() + withWhitespace(v, pick)).join(',')}${pick()}]`;
  const members = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `${pick()}${JSON.stringify(k)}${pick()}:${pick()}${withWhitespace(v, pick)}${pick()}`,
  );
  return `{${members.join(',')}${members.length === 0 ? pick() : ''}}`;
}

describe('hashJsonValue', () => {
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
});

describe('hashJsonBytes (the per-response fast path)', () => {
  it('reads the bodies the reference stack sends, PostgreSQL spacing included', () => {
    const bodies = [
      '{"id":"pay_1","from":"acc-0001","to":"acc-0002","amount":100,"currency":"USD","status":"succeeded","created_at":"2026-01-01T00:00:00.000Z"}',
      '{"id" : "acc-0001", "currency" : "USD", "balance" : -1000000}',
      '{"error":{"code":"IDEMPOTENCY_KEY_REUSED","message":"different payload"},"retryable":false}',
      '{}',
      ' { } ',
      '"text"',
      '-0',
      '12.50',
      '1e3',
      '123456789012345678',
      'true',
      'null',
    ];
    for (const body of bodies) {
      const hash = fromBytes(body);
      expect(hash, body).toBeDefined();
      expect(hash, body).toBe(generalPath(body));
    }
  });

  it('leaves arrays, escapes, non-ASCII text, duplicate keys and invalid JSON to the general path', () => {
    for (const body of [
      '[1,2]',
      '{"a":[1]}',
      '{"a":"x\\"y"}',
      '{"a":"é"}',
      '{"a":1,"a":2}',
      '{"a":{"b":1,"b":1}}',
      '{"a":1,}',
      '{"a":01}',
      '{"a":1} x',
      '{"a":tru}',
      '',
      '<html>bad gateway</html>',
      '{'.repeat(70) + '}'.repeat(70),
    ])
      expect(fromBytes(body), body).toBeUndefined();
  });

  it('accepts the same key in sibling objects, and the same name as key and value', () => {
    const body = '{"a":{"k":1},"b":{"k":2},"k":"k"}';
    expect(fromBytes(body)).toBe(generalPath(body));
  });

  it('equals the general path on random JSON, whatever the whitespace', () => {
    const space = fc.constantFrom('', ' ', '  ', '\n', '\t', '\r\n');
    fc.assert(
      fc.property(fc.jsonValue(), fc.infiniteStream(space), (value, spaces) => {
        const text = withWhitespace(value, () => spaces.next().value);
        const hash = fromBytes(text);
        if (hash !== undefined) expect(hash).toBe(generalPath(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('handles most random array-free ASCII objects itself', () => {
    const asciiKey = fc.string({ unit: fc.constantFrom(...'abcdefghij_-:{}[], '), maxLength: 8 });
    const scalar = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'xyz0129 :,{}'), maxLength: 12 }),
      fc.integer({ min: -1e15, max: 1e15 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
    );
    const object = fc.letrec((tie) => ({
      node: fc.dictionary(asciiKey, fc.oneof({ depthSize: 'small' }, scalar, tie('node')), { maxKeys: 6 }),
    })).node;
    let handled = 0;
    fc.assert(
      fc.property(object, (value) => {
        const text = JSON.stringify(value);
        const hash = fromBytes(text);
        if (hash !== undefined) handled++;
        expect(hash).toBe(generalPath(text));
      }),
      { numRuns: 500 },
    );
    expect(handled).toBe(500);
  });
});

describe('readResponseBody', () => {
  it('picks the top-level id and balance, from bytes and from the general path alike', () => {
    for (const body of [
      '{"id":"pay_9","balance":-250,"nested":{"id":"inner","balance":1}}',
      '{"nested":{"id":"inner","balance":1},"balance":-250,"id":"pay_9","tags":["x"]}',
      '{"balance":-250,"id":"pay_9","note":"caf\u00e9"}',
    ]) {
      const essentials = readResponseBody(bytesOf(body));
      expect(essentials, body).toEqual({ bodyHash: generalPath(body), id: 'pay_9', balance: -250 });
    }
  });

  it('ignores an id that is not a string and a balance that is not a number', () => {
    for (const body of [
      '{"id":{"v":"x"},"balance":{"v":1}}',
      '{"id":7,"balance":"10"}',
      '{"id":[1],"balance":[2]}',
    ])
      expect(readResponseBody(bytesOf(body)), body).toMatchObject({ id: undefined, balance: undefined });
  });

  it('keeps the value JSON.parse keeps for large and fractional balances', () => {
    for (const literal of ['12345678901234567890', '0.1', '-1.5e3', '-0'])
      expect(readResponseBody(bytesOf(`{"balance":${literal}}`)).balance).toBe(
        (JSON.parse(`{"balance":${literal}}`) as { balance: number }).balance,
      );
  });

  it('hashes a body that is not JSON as text', () => {
    expect(readResponseBody(bytesOf('<html>502</html>'))).toEqual({
      bodyHash: hashString('<html>502</html>'),
      id: undefined,
      balance: undefined,
    });
  });
});

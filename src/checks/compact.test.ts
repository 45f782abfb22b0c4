import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { payloadIdentity } from './attempt-store.js';
import { KeyInterner, StringColumn, fnv1a, fnv1aNumber } from './compact.js';
import { parseTransactionBytes } from './ledger-line-parser.js';

describe('KeyInterner', () => {
  it('gives every distinct key one id and its text back, engine-shaped or not', () => {
    const key = fc.oneof(
      fc.nat({ max: 5000 }).map((n) => `cbrun-${n.toString(36)}`),
      fc.constantFrom('cbrun-0a', 'cbrun-', 'cbrun-A', 'other-1', 'plain', 'cbrun-zzzzzz', 'cbrun-0'),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.array(key, { maxLength: 200 }), (keys) => {
        const interner = new KeyInterner();
        const ids = new Map<string, number>();
        for (const k of keys) {
          const id = interner.id(k);
          expect(ids.get(k) ?? id).toBe(id);
          ids.set(k, id);
          expect(interner.value(id)).toBe(k);
          expect(interner.find(k)).toBe(id);
        }
        expect(interner.size).toBe(ids.size);
        expect(new Set(ids.values()).size).toBe(ids.size);
        expect(interner.find('never-sent-zz')).toBeUndefined();
      }),
    );
  });
});

describe('parseTransactionBytes', () => {
  const tx = {
    type: 'transaction',
    id: 'pay_1',
    idempotency_key: 'k-1',
    created_at: '2025-01-01T00:00:00.000Z',
    entries: [
      { account: 'acc-0001', amount: -5, currency: 'USD' },
      { account: 'acc-0002', amount: 5, currency: 'USD' },
    ],
  };
  const pg =
    '{"type" : "transaction", "id" : "pay_1", "idempotency_key" : "k-1", "created_at" : "2025-01-01T00:00:00.000Z", ' +
    '"entries" : [{"account" : "acc-0001", "amount" : -5, "currency" : "USD"}, {"account" : "acc-0002", "amount" : 5, "currency" : "USD"}]}';
  const parse = (line: string): unknown =>
    parseTransactionBytes(Buffer.from(line), 0, Buffer.byteLength(line));

  it('reads compact and PostgreSQL-rendered lines as JSON.parse does', () => {
    expect(parse(JSON.stringify(tx))).toEqual(tx);
    expect(parse(pg)).toEqual(JSON.parse(pg));
    const nullKey = { ...tx, idempotency_key: null, entries: [] };
    expect(parse(JSON.stringify(nullKey))).toEqual(nullKey);
    const unicode = { ...tx, id: 'pay_é€' };
    expect(parse(JSON.stringify(unicode))).toEqual(unicode);
  });

  it('reads any rendering of any transaction as JSON.parse does, or leaves it to JSON.parse', () => {
    const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 6 }));
    const amount = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
    const transaction = fc.record({
      type: fc.constant('transaction'),
      id: text,
      idempotency_key: fc.option(text),
      created_at: text,
      entries: fc.array(fc.record({ account: text, amount, currency: text }), { maxLength: 3 }),
    });
    const space = fc.constantFrom('', ' ', '  ', '\t', '\n ');
    // JSON with the given whitespace around every colon and comma
    const render = (value: unknown, colon: string, comma: string): string => {
      if (Array.isArray(value)) return `[${value.map((v) => render(v, colon, comma)).join(comma)}]`;
      if (value !== null && typeof value === 'object') {
        const fields = Object.entries(value).map(
          ([k, v]) => `${JSON.stringify(k)}${colon}${render(v, colon, comma)}`,
        );
        return `{${fields.join(comma)}}`;
      }
      return JSON.stringify(value);
    };
    fc.assert(
      fc.property(transaction, space, space, (tx, before, after) => {
        for (const line of [
          JSON.stringify(tx),
          render(tx, ' : ', ', '),
          render(tx, `${before}:${after}`, `${before},${after}`),
        ]) {
          const parsed = parse(line);
          // only strings that need an escape are left to JSON.parse
          if (parsed === undefined) expect(JSON.stringify(tx)).toContain('\\');
          else expect(parsed).toEqual(JSON.parse(line));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves escapes, extra fields, other orders, other types and malformed lines to JSON.parse', () => {
    expect(parse(JSON.stringify({ ...tx, id: 'a"b' }))).toBeUndefined();
    expect(parse(JSON.stringify({ ...tx, extra: 1 }))).toBeUndefined();
    const { type, id, ...others } = tx;
    expect(parse(JSON.stringify({ id, type, ...others }))).toBeUndefined();
    expect(parse(JSON.stringify({ type: 'account', id: 'a', currency: 'USD', balance: 1 }))).toBeUndefined();
    expect(parse(pg.slice(0, -1))).toBeUndefined();
    expect(parse(pg.replace('-5', '- 5'))).toBeUndefined();
    expect(parse(pg.replace('-5', '"-5"'))).toBeUndefined();
    expect(parse(`${pg}}`)).toBeUndefined();
  });
});

describe('fnv1a pieces', () => {
  it('fnv1aNumber is fnv1a of String(value), for any number', () => {
    const value = fc.oneof(
      fc.integer(),
      fc.maxSafeInteger(),
      fc.double(),
      fc.constantFrom(
        0,
        -0,
        Number.MAX_SAFE_INTEGER,
        -Number.MAX_SAFE_INTEGER,
        2 ** 53,
        1e21,
        0.1,
        Number.NaN,
      ),
    );
    fc.assert(
      fc.property(value, fc.nat(), (v, seed) => {
        expect(fnv1aNumber(v, seed)).toBe(fnv1a(String(v), seed));
        expect(fnv1aNumber(v)).toBe(fnv1a(String(v)));
      }),
      { numRuns: 2000 },
    );
  });

  it('payloadIdentity is the FNV-1a of the fields joined by NUL', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.oneof(fc.integer(), fc.double()),
        fc.string(),
        (from, to, amount, currency) => {
          const joined = fnv1a(`${from}\u0000${to}\u0000${amount}\u0000${currency}`) || 1;
          expect(payloadIdentity(from, to, amount, currency)).toBe(joined);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('StringColumn', () => {
  it('gives back every string pushed, ASCII or not, across growth', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constant('')), { maxLength: 200 }),
        (values) => {
          const column = new StringColumn();
          for (const v of values) column.push(v);
          expect(column.size).toBe(values.length);
          values.forEach((v, i) => expect(column.value(i)).toBe(v));
        },
      ),
    );
    const column = new StringColumn();
    const ids = Array.from({ length: 5000 }, (_, i) => `pay_${i.toString(16).padStart(32, '0')}`);
    for (const id of ids) column.push(id);
    expect(column.value(0)).toBe(ids[0]);
    expect(column.value(4999)).toBe(ids[4999]);
    expect(() => column.value(5000)).toThrow(RangeError);
  });
});

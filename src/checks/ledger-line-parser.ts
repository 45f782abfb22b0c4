/**
 * A ledger export's transaction line parsed straight from its bytes, for the millions of lines of a
 * large export: `{"type":"transaction","id":..,"idempotency_key":..,"created_at":..,"entries":[{"account":..,
 * "amount":..,"currency":..},...]}` with any JSON whitespace between tokens (PostgreSQL renders
 * `"k" : v, ...`). Strings with escapes, other key orders, extra fields, or anything malformed return
 * undefined: the caller then uses JSON.parse and the shape check, which also word the errors.
 * Strings are fresh copies of their bytes, never slices of the line, so they keep nothing else alive;
 * accounts and currencies, which repeat on every line, come from a bounded cache (one string per
 * account rather than one per entry), and amounts are read from the bytes without a string.
 */
import { ByteStringCache } from '../history/byte-string-cache.js';
import { decimalFromBytes, isPlainJsonNumber } from '../history/decimal-bytes.js';
import type { ExportedEntry, ExportedTransaction } from '../contract/ledger-export.js';

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const QUOTE = 0x22;

const bytesOf = (text: string): Buffer => Buffer.from(text, 'latin1');
const TYPE = bytesOf('"type"');
const TRANSACTION = bytesOf('"transaction"');
const ID = bytesOf('"id"');
const KEY = bytesOf('"idempotency_key"');
const CREATED_AT = bytesOf('"created_at"');
const ENTRIES = bytesOf('"entries"');
const ACCOUNT = bytesOf('"account"');
const AMOUNT = bytesOf('"amount"');
const CURRENCY = bytesOf('"currency"');
const NULL = bytesOf('null');

/** A cursor over one line; every method returns false / undefined when the next token is not the expected one. */
class Cursor {
  /** The bytes of the last string read (without the quotes), and whether they are all ASCII. */
  private from = 0;
  private to = 0;
  private ascii = true;

  constructor(
    readonly bytes: Buffer,
    public p: number,
    readonly end: number,
  ) {}

  /** Skip JSON whitespace; the byte after it (-1 at the end). */
  peek(): number {
    const b = this.bytes;
    while (this.p < this.end) {
      const c = b[this.p]!;
      if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return c;
      this.p++;
    }
    return -1;
  }

  char(c: number): boolean {
    if (this.peek() !== c) return false;
    this.p++;
    return true;
  }

  literal(pattern: Buffer): boolean {
    this.peek();
    if (this.p + pattern.length > this.end) return false;
    for (let i = 0; i < pattern.length; i++) if (this.bytes[this.p + i] !== pattern[i]) return false;
    this.p += pattern.length;
    return true;
  }

  /** `"name" :` */
  field(name: Buffer): boolean {
    return this.literal(name) && this.char(0x3a);
  }

  /** Reads a plain string into from/to/ascii and moves past it; false when the next token is not one. */
  private stringBytes(): boolean {
    if (this.peek() !== QUOTE) return false;
    const b = this.bytes;
    const from = ++this.p;
    let high = 0;
    for (let i = from; i < this.end; i++) {
      const c = b[i]!;
      if (c === QUOTE) {
        this.from = from;
        this.to = i;
        this.ascii = high === 0;
        this.p = i + 1;
        return true;
      }
      // escapes and control characters are left to JSON.parse
      if (c === 0x5c || c < 0x20) return false;
      high |= c & 0x80;
    }
    return false;
  }

  /** A string that is different on every line. */
  string(): string | undefined {
    if (!this.stringBytes()) return undefined;
    return this.bytes.toString(this.ascii ? 'latin1' : 'utf8', this.from, this.to);
  }

  /** A string or `null`; undefined when it is neither. */
  stringOrNull(): string | null | undefined {
    return this.literal(NULL) ? null : this.string();
  }

  /** A string that repeats from line to line (accounts, currencies, times): from a cache. */
  cachedString(cache: ByteStringCache): string | undefined {
    if (!this.stringBytes()) return undefined;
    return cache.get(this.bytes, this.from, this.to);
  }

  number(): number | undefined {
    this.peek();
    const b = this.bytes;
    const from = this.p;
    let i = from;
    for (; i < this.end; i++) {
      const c = b[i]!;
      if (!((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45))
        break;
    }
    if (isPlainJsonNumber(b, from, i)) {
      const value = decimalFromBytes(b, from, i);
      if (!Number.isNaN(value)) {
        this.p = i;
        return value;
      }
    }
    const text = b.toString('latin1', from, i);
    if (!JSON_NUMBER.test(text)) return undefined;
    this.p = i;
    return Number(text);
  }
}

/**
 * The separators of one way of rendering a transaction line, each matched as one literal: the
 * PostgreSQL rendering of the stack's export (`"k" : v, `) and compact JSON. Lines in neither
 * are read token by token with any whitespace.
 */
interface Rendering {
  /** Up to the id's opening quote. */
  head: Buffer;
  key: Buffer;
  createdAt: Buffer;
  /** Up to and including the entries' `[`. */
  entries: Buffer;
  account: Buffer;
  amount: Buffer;
  currency: Buffer;
  entrySeparator: Buffer;
}

function rendering(colon: string, comma: string): Rendering {
  const field = (name: string): string => `"${name}"${colon}`;
  return {
    head: bytesOf(`{${field('type')}"transaction"${comma}${field('id')}`),
    key: bytesOf(`${comma}${field('idempotency_key')}`),
    createdAt: bytesOf(`${comma}${field('created_at')}`),
    entries: bytesOf(`${comma}${field('entries')}[`),
    account: bytesOf(`{${field('account')}`),
    amount: bytesOf(`${comma}${field('amount')}`),
    currency: bytesOf(`${comma}${field('currency')}`),
    entrySeparator: bytesOf(comma),
  };
}
const RENDERINGS = [rendering(' : ', ', '), rendering(':', ',')];

/** Parses transaction lines; keeps the string cache between lines (one parser per export read). */
export class TransactionLineParser {
  private readonly strings = new ByteStringCache();
  /** One slot: consecutive transactions often share their creation time (same ms, same `now()`). */
  private readonly lastCreatedAt = new ByteStringCache(1, 64);

  parse(bytes: Buffer, start: number, end: number): ExportedTransaction | undefined {
    for (const r of RENDERINGS) {
      const c = new Cursor(bytes, start, end);
      if (c.literal(r.head)) return this.rendered(c, r) ?? this.anySpacing(bytes, start, end);
    }
    return this.anySpacing(bytes, start, end);
  }

  /** The rest of a line whose head is in rendering `r`, separator by separator. */
  private rendered(c: Cursor, r: Rendering): ExportedTransaction | undefined {
    const id = c.string();
    if (id === undefined || !c.literal(r.key)) return undefined;
    const key = c.stringOrNull();
    if (key === undefined || !c.literal(r.createdAt)) return undefined;
    const createdAt = c.cachedString(this.lastCreatedAt);
    if (createdAt === undefined || !c.literal(r.entries)) return undefined;
    const entries: ExportedEntry[] = [];
    if (!c.char(0x5d)) {
      for (;;) {
        if (!c.literal(r.account)) return undefined;
        const account = c.cachedString(this.strings);
        if (account === undefined || !c.literal(r.amount)) return undefined;
        const amount = c.number();
        if (amount === undefined || !c.literal(r.currency)) return undefined;
        const currency = c.cachedString(this.strings);
        if (currency === undefined || !c.char(0x7d)) return undefined;
        entries.push({ account, amount, currency });
        if (c.char(0x5d)) break;
        if (!c.literal(r.entrySeparator)) return undefined;
      }
    }
    if (!c.char(0x7d) || c.peek() !== -1) return undefined;
    return { type: 'transaction', id, idempotency_key: key, created_at: createdAt, entries };
  }

  /** Token by token, any JSON whitespace between tokens. */
  private anySpacing(bytes: Buffer, start: number, end: number): ExportedTransaction | undefined {
    const c = new Cursor(bytes, start, end);
    if (!c.char(0x7b) || !c.field(TYPE) || !c.literal(TRANSACTION) || !c.char(0x2c)) return undefined;
    if (!c.field(ID)) return undefined;
    const id = c.string();
    if (id === undefined || !c.char(0x2c) || !c.field(KEY)) return undefined;
    const key = c.stringOrNull();
    if (key === undefined || !c.char(0x2c) || !c.field(CREATED_AT)) return undefined;
    const createdAt = c.cachedString(this.lastCreatedAt);
    if (createdAt === undefined || !c.char(0x2c) || !c.field(ENTRIES) || !c.char(0x5b)) return undefined;
    const entries: ExportedEntry[] = [];
    if (!c.char(0x5d)) {
      for (;;) {
        if (!c.char(0x7b) || !c.field(ACCOUNT)) return undefined;
        const account = c.cachedString(this.strings);
        if (account === undefined || !c.char(0x2c) || !c.field(AMOUNT)) return undefined;
        const amount = c.number();
        if (amount === undefined || !c.char(0x2c) || !c.field(CURRENCY)) return undefined;
        const currency = c.cachedString(this.strings);
        if (currency === undefined || !c.char(0x7d)) return undefined;
        entries.push({ account, amount, currency });
        if (c.char(0x5d)) break;
        if (!c.char(0x2c)) return undefined;
      }
    }
    if (!c.char(0x7d) || c.peek() !== -1) return undefined;
    return { type: 'transaction', id, idempotency_key: key, created_at: createdAt, entries };
  }
}

const shared = new TransactionLineParser();

/** One transaction line's bytes [start, end) -> the transaction, or undefined (see above). */
export function parseTransactionBytes(
  bytes: Buffer,
  start: number,
  end: number,
): ExportedTransaction | undefined {
  return shared.parse(bytes, start, end);
}

/**
 * Compact storage for the streaming checkers: string interning and growable typed-array columns, so a
 * million attempts cost about a hundred bytes each instead of a JS object graph.
 */

export class Interner {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];

  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
    return id;
  }

  find(value: string): number | undefined {
    return this.ids.get(value);
  }

  value(id: number): string {
    const value = this.values[id];
    if (value === undefined) throw new RangeError(`no interned value #${id}`);
    return value;
  }

  get size(): number {
    return this.values.length;
  }
}

/** An Interner through the last value asked for: a field that repeats line after line skips the Map. */
export class LastValueId {
  private last: string | undefined = undefined;
  private lastId = -1;
  constructor(private readonly interner: Interner) {}

  id(value: string): number {
    if (value !== this.last) {
      this.lastId = this.interner.id(value);
      this.last = value;
    }
    return this.lastId;
  }
}

type TypedArray = Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;
type TypedArrayConstructor<T extends TypedArray> = new (length: number) => T;

/** A typed array that doubles when full; `fill` is the value of never-written slots. */
export class Column<T extends TypedArray> {
  data: T;
  constructor(
    private readonly ctor: TypedArrayConstructor<T>,
    protected readonly fillValue: number,
    capacity = 1024,
  ) {
    this.data = new ctor(capacity);
    if (fillValue !== 0) this.data.fill(fillValue);
  }

  /** Make index `i` addressable. */
  ensure(i: number): void {
    if (i < this.data.length) return;
    let capacity = this.data.length * 2;
    while (capacity <= i) capacity *= 2;
    const next = new this.ctor(capacity);
    next.set(this.data);
    if (this.fillValue !== 0) next.fill(this.fillValue, this.data.length);
    this.data = next;
  }

  set(i: number, value: number): void {
    this.ensure(i);
    this.data[i] = value;
  }

  get(i: number): number {
    return i < this.data.length ? this.data[i]! : this.fillValue;
  }
}

// One subclass per element type, each with its own copy of get/set: every copy then sees a single
// typed-array kind and stays monomorphic (one shared `get` over five kinds was a hot spot).
class F64Column extends Column<Float64Array> {
  override set(i: number, value: number): void {
    if (i >= this.data.length) this.ensure(i);
    this.data[i] = value;
  }
  override get(i: number): number {
    return i < this.data.length ? this.data[i]! : this.fillValue;
  }
}
class I32Column extends Column<Int32Array> {
  override set(i: number, value: number): void {
    if (i >= this.data.length) this.ensure(i);
    this.data[i] = value;
  }
  override get(i: number): number {
    return i < this.data.length ? this.data[i]! : this.fillValue;
  }
}
class U32Column extends Column<Uint32Array> {
  override set(i: number, value: number): void {
    if (i >= this.data.length) this.ensure(i);
    this.data[i] = value;
  }
  override get(i: number): number {
    return i < this.data.length ? this.data[i]! : this.fillValue;
  }
}
class U16Column extends Column<Uint16Array> {
  override set(i: number, value: number): void {
    if (i >= this.data.length) this.ensure(i);
    this.data[i] = value;
  }
  override get(i: number): number {
    return i < this.data.length ? this.data[i]! : this.fillValue;
  }
}
class U8Column extends Column<Uint8Array> {
  override set(i: number, value: number): void {
    if (i >= this.data.length) this.ensure(i);
    this.data[i] = value;
  }
  override get(i: number): number {
    return i < this.data.length ? this.data[i]! : this.fillValue;
  }
}

export const f64 = (fill = 0): Column<Float64Array> => new F64Column(Float64Array, fill);
export const i32 = (fill = -1): Column<Int32Array> => new I32Column(Int32Array, fill);
export const u32 = (): Column<Uint32Array> => new U32Column(Uint32Array, 0);
export const u16 = (): Column<Uint16Array> => new U16Column(Uint16Array, 0);
export const u8 = (): Column<Uint8Array> => new U8Column(Uint8Array, 0);

/**
 * Many short strings (transaction ids) kept as the bytes of one growing buffer rather than a million
 * string objects for the GC to copy and mark; value(i) makes the string again when it is asked for.
 * ASCII strings are stored as bytes; any other string is kept as it is (rare: ids are ASCII).
 */
export class StringColumn {
  private bytes = new Uint8Array(1 << 16);
  private view = Buffer.from(this.bytes.buffer);
  private used = 0;
  /** End of string i in `bytes` (its start is the end of string i - 1). */
  private readonly ends = new I32Column(Int32Array, 0);
  /** Strings that are not all ASCII, by index. */
  private readonly others = new Map<number, string>();
  size = 0;

  push(value: string): void {
    const i = this.size++;
    if (this.used + value.length > this.bytes.length) this.grow(this.used + value.length);
    const bytes = this.bytes;
    let at = this.used;
    for (let c = 0; c < value.length; c++) {
      const code = value.charCodeAt(c);
      if (code >= 0x80) {
        this.others.set(i, value);
        at = this.used;
        break;
      }
      bytes[at++] = code;
    }
    this.used = at;
    this.ends.set(i, at);
  }

  value(i: number): string {
    if (i < 0 || i >= this.size) throw new RangeError(`no string #${i}`);
    if (this.others.size > 0) {
      const other = this.others.get(i);
      if (other !== undefined) return other;
    }
    return this.view.toString('latin1', i === 0 ? 0 : this.ends.get(i - 1), this.ends.get(i));
  }

  private grow(needed: number): void {
    let capacity = this.bytes.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.bytes.subarray(0, this.used));
    this.bytes = next;
    this.view = Buffer.from(next.buffer);
  }
}

/** 32-bit FNV-1a: a fingerprint for payloads and ledger rows (collisions only matter within one key). */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** One more UTF-16 code unit into an FNV-1a hash. */
export function fnv1aStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, 0x01000193) >>> 0;
}

const digits = new Uint8Array(16);

/** fnv1a(String(value), seed), without making the string when the value is a safe integer. */
export function fnv1aNumber(value: number, seed = 0x811c9dc5): number {
  if (!Number.isSafeInteger(value)) return fnv1a(String(value), seed);
  let hash = seed;
  if (value < 0) hash = fnv1aStep(hash, 0x2d); // '-'
  // digits least significant first, then hashed most significant first
  let rest = Math.abs(value);
  let count = 0;
  do {
    digits[count++] = rest % 10;
    rest = Math.floor(rest / 10);
  } while (rest > 0);
  while (count > 0) hash = fnv1aStep(hash, 0x30 + digits[--count]!);
  return hash;
}

export const iso = (ms: number): string | null => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);

/** Keys of the form `<prefix><base-36 number>` below this go to the dense table (bounded memory). */
const DENSE_KEY_LIMIT = 1 << 24;

/**
 * Idempotency keys -> dense ids. Engine keys are `<run prefix>-<index in base 36>`: once the first
 * such key fixes the prefix, every key with that prefix and a canonical base-36 number below
 * DENSE_KEY_LIMIT is found through its number in a typed array (no string kept, no hashing); any other
 * key goes through a Map. Which way a key goes depends only on the key, so each key has one id.
 */
export class KeyInterner {
  private prefix: string | undefined;
  /** number -> id + 1 (0: not seen). */
  private byNumber = new Int32Array(1024);
  /** id -> number, or -1 for keys held in `others`. */
  private readonly numberOf = i32();
  private readonly others = new Map<string, number>();
  private readonly otherValues = new Map<number, string>();
  size = 0;

  id(value: string): number {
    const n = this.numberIn(value);
    if (n < 0) {
      let id = this.others.get(value);
      if (id === undefined) {
        id = this.size++;
        this.others.set(value, id);
        this.otherValues.set(id, value);
        this.numberOf.set(id, -1);
      }
      return id;
    }
    if (n >= this.byNumber.length) {
      let capacity = this.byNumber.length * 2;
      while (capacity <= n) capacity *= 2;
      const next = new Int32Array(Math.min(capacity, DENSE_KEY_LIMIT));
      next.set(this.byNumber);
      this.byNumber = next;
    }
    const known = this.byNumber[n]!;
    if (known > 0) return known - 1;
    const id = this.size++;
    this.byNumber[n] = id + 1;
    this.numberOf.set(id, n);
    return id;
  }

  find(value: string): number | undefined {
    const n = this.numberIn(value);
    if (n < 0) return this.others.get(value);
    const known = n < this.byNumber.length ? this.byNumber[n]! : 0;
    return known > 0 ? known - 1 : undefined;
  }

  value(id: number): string {
    if (id < 0 || id >= this.size) throw new RangeError(`no interned key #${id}`);
    const n = this.numberOf.get(id);
    return n < 0 ? this.otherValues.get(id)! : `${this.prefix}${n.toString(36)}`;
  }

  /** The key's number when it has the dense form, else -1. The first `...-<base 36>` key fixes the prefix. */
  private numberIn(value: string): number {
    let from: number;
    if (this.prefix === undefined) {
      from = value.lastIndexOf('-') + 1;
      if (from === 0 || parseBase36(value, from) < 0) return -1;
      this.prefix = value.slice(0, from);
    } else {
      if (!value.startsWith(this.prefix)) return -1;
      from = this.prefix.length;
    }
    return parseBase36(value, from);
  }
}

/** Canonical base-36 (lower case, no leading zero) from `from` to the end, below DENSE_KEY_LIMIT; else -1. */
function parseBase36(text: string, from: number): number {
  const length = text.length - from;
  if (length < 1 || length > 5 || (length > 1 && text.charCodeAt(from) === 48)) return -1;
  let n = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let digit: number;
    if (c >= 48 && c <= 57) digit = c - 48;
    else if (c >= 97 && c <= 122) digit = c - 87;
    else return -1;
    n = n * 36 + digit;
  }
  return n < DENSE_KEY_LIMIT ? n : -1;
}

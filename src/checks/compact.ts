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

type TypedArray = Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;
type TypedArrayConstructor<T extends TypedArray> = new (length: number) => T;

/** A typed array that doubles when full; `fill` is the value of never-written slots. */
export class Column<T extends TypedArray> {
  data: T;
  constructor(
    private readonly ctor: TypedArrayConstructor<T>,
    private readonly fillValue: number,
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

export const f64 = (fill = 0): Column<Float64Array> => new Column(Float64Array, fill);
export const i32 = (fill = -1): Column<Int32Array> => new Column(Int32Array, fill);
export const u32 = (): Column<Uint32Array> => new Column(Uint32Array, 0);
export const u16 = (): Column<Uint16Array> => new Column(Uint16Array, 0);
export const u8 = (): Column<Uint8Array> => new Column(Uint8Array, 0);

/** 32-bit FNV-1a: a fingerprint for payloads and ledger rows (collisions only matter within one key). */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export const iso = (ms: number): string | null => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);

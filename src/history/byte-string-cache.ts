/**
 * Byte ranges -> strings for the few distinct values a large file repeats on every line (accounts,
 * regions, targets, currencies, error names), so a million lines do not make a million copies of
 * "acc-0042" — and the same string object comes back each time, which later Map lookups like.
 *
 * Bounded whatever the input: a fixed number of slots, one value each, of at most `maxBytes` bytes;
 * a value whose slot is taken replaces the one there, so a stream of unique values only churns the
 * slots. Every hit is checked byte by byte, so a hash collision costs a decode, never a wrong string.
 */
export class ByteStringCache {
  private readonly mask: number;
  /** Slot i's bytes are at [i * maxBytes, i * maxBytes + lengths[i]). */
  private readonly slab: Uint8Array;
  private readonly lengths: Uint16Array;
  private readonly strings: (string | undefined)[];
  /** Slots in use (for tests: never more than `slots`). */
  used = 0;

  constructor(
    /** A power of two. */
    readonly slots = 4096,
    readonly maxBytes = 32,
  ) {
    if (!Number.isInteger(Math.log2(slots))) throw new RangeError(`slots must be a power of two: ${slots}`);
    this.mask = slots - 1;
    this.slab = new Uint8Array(slots * maxBytes);
    this.lengths = new Uint16Array(slots);
    this.strings = new Array<string | undefined>(slots).fill(undefined);
  }

  /** The UTF-8 text of bytes [from, to). */
  get(bytes: Buffer, from: number, to: number): string {
    const length = to - from;
    if (length > this.maxBytes || length === 0) return decode(bytes, from, to);
    // the slot from the length and the first and last bytes (where ids, names and numbers differ):
    // a hit compares every byte anyway, so a weak spread only costs misses
    let hash = Math.imul(length, 0x9e3779b1) ^ bytes[from]!;
    for (let i = Math.max(from + 1, to - 4); i < to; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
    const slot = (hash ^ (hash >>> 16)) & this.mask;
    const cached = this.strings[slot];
    const at = slot * this.maxBytes;
    if (cached !== undefined && this.lengths[slot] === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (this.slab[at + i] !== bytes[from + i]) {
          same = false;
          break;
        }
      }
      if (same) return cached;
    }
    const value = decode(bytes, from, to);
    if (cached === undefined) this.used++;
    this.slab.set(bytes.subarray(from, to), at);
    this.lengths[slot] = length;
    this.strings[slot] = value;
    return value;
  }
}

/** ASCII decodes the same either way, and latin1 is the cheaper decoder. */
function decode(bytes: Buffer, from: number, to: number): string {
  for (let i = from; i < to; i++) if (bytes[i]! >= 0x80) return bytes.toString('utf8', from, to);
  return bytes.toString('latin1', from, to);
}

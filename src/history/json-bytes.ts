/**
 * Writes JSON text straight into a Buffer, for lines written once per request (codec.ts):
 * no intermediate strings, no number-to-string conversions, no UTF-8 encoding pass for ASCII.
 *
 * The caller reserves room first (the writer does not check bounds): constant ASCII takes its length,
 * a JSON string at most 6 bytes per UTF-16 unit plus quotes (a `\uXXXX` escape), a number 32 bytes.
 * Every method produces exactly what JSON.stringify or String() would for the same value.
 */

/** Room a JSON string can need: 6 bytes per UTF-16 unit (a `\uXXXX` escape), plus its quotes. */
export const JSON_STRING_BYTES_PER_UNIT = 6;
export const JSON_STRING_QUOTES = 2;

/** Room any number needs (the longest String(number) is 24 characters). */
export const NUMBER_BOUND = 32;

const DOT = 0x2e;
const ZERO = 0x30;
const MINUS = 0x2d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export class JsonBytes {
  buf: Buffer = Buffer.alloc(0);
  pos = 0;

  /** Write from `pos` into `buf`. */
  at(buf: Buffer, pos: number): this {
    this.buf = buf;
    this.pos = pos;
    return this;
  }

  /** Constant bytes (ascii-bytes.ts): one copy, far cheaper than a loop over a string's characters. */
  raw(bytes: Uint8Array): this {
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  /** Text that is ASCII and needs no escaping (number texts, names we chose). */
  ascii(text: string): this {
    const { buf } = this;
    let p = this.pos;
    for (let i = 0; i < text.length; i++) buf[p++] = text.charCodeAt(i);
    this.pos = p;
    return this;
  }

  byte(b: number): this {
    this.buf[this.pos++] = b;
    return this;
  }

  /** JSON.stringify(text): printable ASCII is copied as is, anything else goes through JSON.stringify. */
  string(text: string): this {
    const { buf } = this;
    let p = this.pos;
    buf[p++] = QUOTE;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) {
        this.pos += buf.write(JSON.stringify(text), this.pos, 'utf8');
        return this;
      }
      buf[p++] = c;
    }
    buf[p++] = QUOTE;
    this.pos = p;
    return this;
  }

  /** String(n). */
  number(n: number): this {
    if (Number.isSafeInteger(n)) {
      if (n >= 0) return this.digits(n, 1); // -0 too: String(-0) is "0"
      this.buf[this.pos++] = MINUS;
      return this.digits(-n, 1);
    }
    return this.ascii(String(n));
  }

  /** n.toFixed(3). */
  fixed3(n: number): this {
    if (n >= 0 && n < Number.MAX_SAFE_INTEGER) {
      // Split off the integer part so the product below is exact enough to round like toFixed does
      // (half up on the exact binary value); a fraction that lands within 1e-6 of a half is left to toFixed.
      let whole = Math.floor(n);
      const thousandths = (n - whole) * 1000;
      let rounded = Math.round(thousandths);
      if (Math.abs(Math.abs(rounded - thousandths) - 0.5) > 1e-6) {
        if (rounded === 1000) {
          whole++;
          rounded = 0;
        }
        if (whole <= Number.MAX_SAFE_INTEGER) {
          this.digits(whole, 1);
          this.buf[this.pos++] = DOT;
          return this.digits(rounded, 3);
        }
      }
    }
    return this.ascii(n.toFixed(3));
  }

  /**
   * String(Math.round(n * 1000) / 1000): n in ms with at most 3 decimals and no trailing zeros.
   */
  milliseconds(n: number): this {
    const thousandths = Math.round(n * 1000);
    // below 2^43 ms, doubles are closer together than 0.0005: no shorter text names the same double
    if (!(thousandths >= 0 && thousandths <= 1e15)) return this.ascii(String(thousandths / 1000));
    const whole = Math.floor(thousandths / 1000);
    let fraction = thousandths - whole * 1000;
    this.digits(whole, 1);
    if (fraction === 0) return this;
    this.buf[this.pos++] = DOT;
    let width = 3;
    while (fraction % 10 === 0) {
      fraction /= 10;
      width--;
    }
    return this.digits(fraction, width);
  }

  /** A non-negative safe integer in decimal, zero-padded to at least `width` digits. */
  digits(n: number, width: number): this {
    if (n >= 1e9) {
      // in 9-digit groups, so the loop below works on small integers (int32 arithmetic)
      const high = Math.floor(n / 1e9);
      this.digits(high, Math.max(1, width - 9));
      return this.digits(n - high * 1e9, 9);
    }
    let count = 1;
    for (let rest = n; rest >= 10; rest = (rest / 10) | 0) count++;
    if (count < width) count = width;
    const { buf } = this;
    let p = this.pos + count;
    this.pos = p;
    for (let rest = n; count > 0; count--) {
      const next = (rest / 10) | 0;
      buf[--p] = ZERO + (rest - next * 10);
      rest = next;
    }
    return this;
  }
}

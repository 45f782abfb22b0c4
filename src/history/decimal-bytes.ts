/**
 * Decimal numbers read straight from bytes, so the readers of large NDJSON files need not make a
 * string per numeric field. Only the plain form is read here — an optional '-', digits, an optional
 * '.' and more digits — and only while all the digits together fit a safe integer n: then
 * n / 10^fractionDigits is one correctly rounded IEEE division of two exact doubles, which is the
 * double nearest to the decimal, exactly what Number(text) returns. Anything else (exponents, '+',
 * spaces, too many digits, no digit at all) gives NaN, and the caller falls back to Number(text).
 */

/** 10^i, exact as a double for i <= 22 (parsed from text: the parse is correctly rounded). */
const POWERS_OF_TEN: readonly number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Number(text) of the bytes [from, to) when they are a plain decimal that fits; NaN otherwise. */
export function decimalFromBytes(bytes: Uint8Array, from: number, to: number): number {
  let p = from;
  const negative = p < to && bytes[p] === MINUS;
  if (negative) p++;
  let n = 0;
  let digits = 0;
  /** Digits after the '.'; -1 before any '.'. */
  let fraction = -1;
  for (; p < to; p++) {
    const b = bytes[p]!;
    if (b >= ZERO && b <= NINE) {
      // exact while n stays a safe integer; once it is not, the check below sees it (rounding is monotonic)
      n = n * 10 + (b - ZERO);
      digits++;
      if (fraction >= 0) fraction++;
    } else if (b === DOT && fraction < 0) {
      fraction = 0;
    } else {
      return Number.NaN;
    }
  }
  if (digits === 0 || n > Number.MAX_SAFE_INTEGER || fraction >= POWERS_OF_TEN.length) return Number.NaN;
  const value = fraction > 0 ? n / POWERS_OF_TEN[fraction]! : n;
  return negative ? -value : value;
}

/**
 * True when [from, to) is a JSON number in the plain form decimalFromBytes reads: '-'?, '0' or a
 * digit 1-9 and more digits, then optionally '.' and at least one digit. (JSON also allows
 * exponents; the caller reads those the general way.)
 */
export function isPlainJsonNumber(bytes: Uint8Array, from: number, to: number): boolean {
  let p = from;
  if (p < to && bytes[p] === MINUS) p++;
  if (p >= to) return false;
  const first = bytes[p]!;
  if (first < ZERO || first > NINE) return false;
  p++;
  if (first !== ZERO) while (p < to && bytes[p]! >= ZERO && bytes[p]! <= NINE) p++;
  if (p === to) return true;
  if (bytes[p] !== DOT) return false;
  p++;
  if (p >= to) return false;
  for (; p < to; p++) if (bytes[p]! < ZERO || bytes[p]! > NINE) return false;
  return true;
}

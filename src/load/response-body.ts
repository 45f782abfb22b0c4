/**
 * What the history keeps of a response body: a hash that ignores object key order (so a body
 * re-serialised by the server, e.g. from jsonb, hashes the same) and the top-level `id` and
 * `balance`. No volatile fields are dropped: a replay must return the stored original byte for byte.
 *
 * This runs once per response, so the usual body — ASCII JSON objects without escapes — is hashed
 * straight from its bytes (hashJsonBytes), with no string, no JSON.parse and no objects. Anything
 * that scanner does not handle goes the general way (JSON.parse, then hashJsonValue) and hashes to
 * exactly the same value; a body that is not JSON hashes as text.
 */
import { asciiBytes, equalsAt, matchesAt } from '../history/ascii-bytes.js';
import { hashString, hex53 } from './hash.js';

type TopLevelFields = Pick<BodyEssentials, 'id' | 'balance'>;

export interface BodyEssentials {
  bodyHash: string;
  /** The top-level `id` when it is a string. */
  id: string | undefined;
  /** The top-level `balance` when it is a number. */
  balance: number | undefined;
}

export function readResponseBody(bytes: Buffer): BodyEssentials {
  const essentials: BodyEssentials = { bodyHash: '', id: undefined, balance: undefined };
  const fromBytes = hashJsonBytes(bytes, 0, bytes.length, essentials);
  if (fromBytes !== undefined) {
    essentials.bodyHash = fromBytes;
    return essentials;
  }
  essentials.id = essentials.balance = undefined;
  const text = bytes.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    essentials.bodyHash = hashString(text); // not JSON (e.g. a proxy's HTML error page)
    return essentials;
  }
  essentials.bodyHash = hashJsonValue(parsed);
  if (parsed !== null && typeof parsed === 'object') {
    const record = parsed as Record<string, unknown>;
    if (typeof record.id === 'string') essentials.id = record.id;
    if (typeof record.balance === 'number') essentials.balance = record.balance;
  }
  return essentials;
}

// ---- the hash: two 32-bit lanes ----------------------------------------------------------------

const START1 = 0xdeadbeef;
const START2 = 0x41c6ce57;
/** Each object member is hashed from this fixed start, so members can be summed in any order. */
const MEMBER1 = 0x9e3779b9;
const MEMBER2 = 0x85ebca6b;
/** Type marks fed before a value. */
const MARK_STRING = 0x73;
const MARK_NUMBER = 0x6e;
const MARK_TRUE = 0x74;
const MARK_FALSE = 0x66;
const MARK_NULL = 0x30;
const MARK_ARRAY = 0x5b;
const MARK_OBJECT = 0x7b;

const mix1 = (lane: number, n: number): number => Math.imul(lane ^ n, 2654435761);
const mix2 = (lane: number, n: number): number => Math.imul(lane ^ n, 1597334677);
const finish1 = (l1: number, l2: number): number =>
  (Math.imul(l1 ^ (l1 >>> 16), 2246822507) ^ Math.imul(l2 ^ (l2 >>> 13), 3266489909)) >>> 0;
const finish2 = (l1: number, l2: number): number =>
  (Math.imul(l2 ^ (l2 >>> 16), 2246822507) ^ Math.imul(l1 ^ (l1 >>> 13), 3266489909)) >>> 0;
const digest = (l1: number, l2: number): string => hex53(finish2(l1, l2), finish1(l1, l2));

// ---- from a parsed value -------------------------------------------------------------------------

let lane1 = 0;
let lane2 = 0;

function feed(n: number): void {
  lane1 = mix1(lane1, n);
  lane2 = mix2(lane2, n);
}

/** Length-prefixed, so no two different sequences of strings feed the same characters. */
function feedString(text: string): void {
  feed(text.length);
  for (let i = 0; i < text.length; i++) feed(text.charCodeAt(i));
}

function feedValue(value: unknown): void {
  switch (typeof value) {
    case 'string':
      feed(MARK_STRING);
      feedString(value);
      return;
    case 'number':
      feed(MARK_NUMBER);
      feedString(String(value));
      return;
    case 'boolean':
      feed(value ? MARK_TRUE : MARK_FALSE);
      return;
    case 'object':
      break;
    default:
      feed(0x75); // undefined (never in parsed JSON)
      return;
  }
  if (value === null) {
    feed(MARK_NULL);
    return;
  }
  if (Array.isArray(value)) {
    feed(MARK_ARRAY);
    feed(value.length);
    for (const element of value) feedValue(element);
    return;
  }
  const record = value as Record<string, unknown>;
  const outer1 = lane1;
  const outer2 = lane2;
  let sum1 = 0;
  let sum2 = 0;
  let count = 0;
  for (const key in record) {
    lane1 = MEMBER1;
    lane2 = MEMBER2;
    feedString(key);
    feedValue(record[key]);
    sum1 = (sum1 + finish1(lane1, lane2)) >>> 0;
    sum2 = (sum2 + finish2(lane1, lane2)) >>> 0;
    count++;
  }
  lane1 = outer1;
  lane2 = outer2;
  feed(MARK_OBJECT);
  feed(count);
  feed(sum1);
  feed(sum2);
}

/**
 * Hash of a parsed JSON value (53 bits, hex) that ignores the order of object keys. Equal to hashing
 * the canonical JSON (hash.ts) in what it tells apart, without building that string or sorting keys.
 */
export function hashJsonValue(value: unknown): string {
  lane1 = START1;
  lane2 = START2;
  feedValue(value);
  return digest(lane1, lane2);
}

// ---- from bytes ----------------------------------------------------------------------------------

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const TRUE = asciiBytes('true');
const FALSE = asciiBytes('false');
const NULL = asciiBytes('null');
const ID = asciiBytes('id');
const BALANCE = asciiBytes('balance');
const MAX_DEPTH = 64;
/** Keys of the objects open at once, kept to spot duplicates (JSON.parse keeps the last one). */
const MAX_OPEN_KEYS = 1024;

/** Per open object: the lanes outside it, its member sums and count, and where its keys start. */
const outerLane1 = new Int32Array(MAX_DEPTH + 1);
const outerLane2 = new Int32Array(MAX_DEPTH + 1);
const memberSum1 = new Uint32Array(MAX_DEPTH + 1);
const memberSum2 = new Uint32Array(MAX_DEPTH + 1);
const memberCount = new Int32Array(MAX_DEPTH + 1);
const firstKey = new Int32Array(MAX_DEPTH + 1);
const objectStart = new Int32Array(MAX_DEPTH + 1);
const keyStarts = new Int32Array(MAX_OPEN_KEYS);
const keyEnds = new Int32Array(MAX_OPEN_KEYS);

/** What the scanner expects next. */
const VALUE = 0;
const AFTER_VALUE = 1;
const MEMBER = 2;

/**
 * hashJsonValue(JSON.parse(text of bytes [from, to))), read from the bytes in one pass with no
 * allocation; fills `top` with the top-level `id` (string) and `balance` (number). Undefined when the
 * bytes hold anything this scanner leaves to the general path: arrays, escapes, non-ASCII text,
 * duplicate keys, nesting deeper than 64, or text that is not JSON at all.
 *
 * One loop over a small state machine rather than recursive functions, so the position and the two
 * hash lanes stay in local variables.
 */
export function hashJsonBytes(b: Buffer, from: number, to: number, top?: TopLevelFields): string | undefined {
  let l1 = START1;
  let l2 = START2;
  let p = skipWhitespace(b, from, to);
  let depth = 0;
  let openKeys = 0;
  let state = VALUE;
  /** Where the last value starts and ends, and its value when a number (for the top-level picks). */
  let valueStart = 0;
  let valueEnd = 0;
  let number = 0;
  for (;;) {
    if (state === VALUE) {
      if (p >= to) return undefined;
      const c = b[p]!;
      valueStart = p;
      if (c === OPEN) {
        if (depth === MAX_DEPTH) return undefined;
        depth++;
        outerLane1[depth] = l1;
        outerLane2[depth] = l2;
        memberSum1[depth] = memberSum2[depth] = memberCount[depth] = 0;
        firstKey[depth] = openKeys;
        objectStart[depth] = p;
        p = skipWhitespace(b, p + 1, to);
        if (p < to && b[p] === CLOSE) {
          p++;
          // an empty object: its mark, no members, zero sums
          l1 = mix1(mix1(mix1(mix1(outerLane1[depth]!, MARK_OBJECT), 0), 0), 0);
          l2 = mix2(mix2(mix2(mix2(outerLane2[depth]!, MARK_OBJECT), 0), 0), 0);
          valueStart = objectStart[depth]!;
          depth--;
          state = AFTER_VALUE;
        } else state = MEMBER;
        continue;
      }
      if (c === QUOTE) {
        const close = stringEnd(b, p + 1, to);
        if (close < 0) return undefined;
        l1 = bytesInto1(mix1(l1, MARK_STRING), b, p + 1, close);
        l2 = bytesInto2(mix2(l2, MARK_STRING), b, p + 1, close);
        p = close + 1;
      } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
        const end = numberEnd(b, p, to);
        if (end < 0) return undefined;
        l1 = mix1(l1, MARK_NUMBER);
        l2 = mix2(l2, MARK_NUMBER);
        number = shortIntegerValue(b, p, end);
        if (Number.isNaN(number)) {
          // fed as String(Number(text)), as the general path does
          number = Number(latin1(b, p, end));
          const text = String(number);
          l1 = mix1(l1, text.length);
          l2 = mix2(l2, text.length);
          for (let i = 0; i < text.length; i++) {
            l1 = mix1(l1, text.charCodeAt(i));
            l2 = mix2(l2, text.charCodeAt(i));
          }
        } else {
          // a short plain integer: String(Number(text)) is the text itself
          l1 = bytesInto1(l1, b, p, end);
          l2 = bytesInto2(l2, b, p, end);
        }
        p = end;
      } else {
        const mark = literalMark(b, p, to);
        if (mark === 0) return undefined; // arrays and anything unexpected
        l1 = mix1(l1, mark);
        l2 = mix2(l2, mark);
        p += mark === MARK_FALSE ? 5 : 4; // false; true, null
      }
      valueEnd = p;
      state = AFTER_VALUE;
      continue;
    }

    if (state === AFTER_VALUE) {
      if (depth === 0) {
        p = skipWhitespace(b, p, to);
        return p === to ? digest(l1, l2) : undefined;
      }
      // a member's value ended: add the member to its object
      memberSum1[depth] = memberSum1[depth]! + finish1(l1, l2);
      memberSum2[depth] = memberSum2[depth]! + finish2(l1, l2);
      memberCount[depth]!++;
      if (depth === 1 && top !== undefined) {
        // the member's key is the last one recorded: keys of objects nested in its value are dropped
        const key = openKeys - 1;
        const first = b[valueStart]!;
        if (first === QUOTE && equalsAt(b, keyStarts[key]!, keyEnds[key]!, ID))
          top.id = latin1(b, valueStart + 1, valueEnd - 1);
        else if (
          (first === MINUS || (first >= ZERO && first <= NINE)) &&
          equalsAt(b, keyStarts[key]!, keyEnds[key]!, BALANCE)
        )
          top.balance = number;
      }
      p = skipWhitespace(b, p, to);
      if (p >= to) return undefined;
      if (b[p] === 0x2c) {
        // ,
        p = skipWhitespace(b, p + 1, to);
        state = MEMBER;
        continue;
      }
      if (b[p] !== CLOSE) return undefined;
      p++;
      l1 = mix1(outerLane1[depth]!, MARK_OBJECT);
      l2 = mix2(outerLane2[depth]!, MARK_OBJECT);
      const count = memberCount[depth]!;
      const sum1 = memberSum1[depth]!;
      const sum2 = memberSum2[depth]!;
      l1 = mix1(mix1(mix1(l1, count), sum1), sum2);
      l2 = mix2(mix2(mix2(l2, count), sum1), sum2);
      openKeys = firstKey[depth]!;
      valueStart = objectStart[depth]!;
      depth--;
      valueEnd = p;
      continue; // still AFTER_VALUE: the object was a value of its parent
    }

    // MEMBER: "key" : value
    if (p >= to || b[p] !== QUOTE) return undefined;
    const close = stringEnd(b, p + 1, to);
    if (close < 0) return undefined;
    const keyStart = p + 1;
    const keyEnd = close;
    for (let k = firstKey[depth]!; k < openKeys; k++)
      if (sameBytes(b, keyStarts[k]!, keyEnds[k]!, keyStart, keyEnd)) return undefined;
    if (openKeys === MAX_OPEN_KEYS) return undefined;
    keyStarts[openKeys] = keyStart;
    keyEnds[openKeys++] = keyEnd;
    p = skipWhitespace(b, close + 1, to);
    if (p >= to || b[p] !== 0x3a) return undefined; // :
    p = skipWhitespace(b, p + 1, to);
    l1 = bytesInto1(MEMBER1, b, keyStart, keyEnd);
    l2 = bytesInto2(MEMBER2, b, keyStart, keyEnd);
    state = VALUE;
  }
}

/** The ASCII bytes [from, to) fed into one lane as feedString feeds their text: length, then each code. */
function bytesInto1(lane: number, b: Uint8Array, from: number, to: number): number {
  let l = mix1(lane, to - from);
  for (let i = from; i < to; i++) l = mix1(l, b[i]!);
  return l;
}

function bytesInto2(lane: number, b: Uint8Array, from: number, to: number): number {
  let l = mix2(lane, to - from);
  for (let i = from; i < to; i++) l = mix2(l, b[i]!);
  return l;
}

function skipWhitespace(b: Uint8Array, p: number, to: number): number {
  while (p < to) {
    const c = b[p]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    p++;
  }
  return p;
}

/** Index of the closing quote of a string of printable ASCII without escapes starting at `p`; -1 otherwise. */
function stringEnd(b: Uint8Array, p: number, to: number): number {
  for (; p < to; p++) {
    const c = b[p]!;
    if (c === QUOTE) return p;
    if (c < 0x20 || c >= 0x80 || c === BACKSLASH) return -1;
  }
  return -1;
}

/** End of the JSON number at `p` (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?); -1 when it is not one. */
function numberEnd(b: Uint8Array, p: number, to: number): number {
  if (b[p] === MINUS) p++;
  if (p >= to || b[p]! < ZERO || b[p]! > NINE) return -1;
  if (b[p] === ZERO) p++;
  else p = digitsEnd(b, p, to);
  if (p < to && b[p] === 0x2e) {
    const start = p + 1;
    p = digitsEnd(b, start, to);
    if (p === start) return -1;
  }
  if (p < to && (b[p] === 0x65 || b[p] === 0x45)) {
    p++;
    if (p < to && (b[p] === 0x2b || b[p] === MINUS)) p++;
    const start = p;
    p = digitsEnd(b, start, to);
    if (p === start) return -1;
  }
  return p;
}

function digitsEnd(b: Uint8Array, p: number, to: number): number {
  while (p < to && b[p]! >= ZERO && b[p]! <= NINE) p++;
  return p;
}

/** The value of a valid JSON number at [p, end) when it is an integer of at most 15 digits and not -0; NaN otherwise. */
function shortIntegerValue(b: Uint8Array, p: number, end: number): number {
  const negative = b[p] === MINUS;
  if (negative) p++;
  if (end - p > 15) return Number.NaN;
  let n = 0;
  for (; p < end; p++) {
    const c = b[p]!;
    if (c < ZERO || c > NINE) return Number.NaN;
    n = n * 10 + (c - ZERO);
  }
  if (!negative) return n;
  return n === 0 ? Number.NaN : -n;
}

/** The mark of the literal true, false or null at `p`; 0 when there is none. */
function literalMark(b: Uint8Array, p: number, to: number): number {
  if (matchesAt(b, p, to, TRUE)) return MARK_TRUE;
  if (matchesAt(b, p, to, FALSE)) return MARK_FALSE;
  if (matchesAt(b, p, to, NULL)) return MARK_NULL;
  return 0;
}

function sameBytes(b: Uint8Array, from1: number, to1: number, from2: number, to2: number): boolean {
  if (to1 - from1 !== to2 - from2) return false;
  for (let i = 0; i < to1 - from1; i++) if (b[from1 + i] !== b[from2 + i]) return false;
  return true;
}

/** The scanner only passes ASCII ranges here, and latin1 is the cheapest decoder. */
function latin1(b: Buffer, from: number, to: number): string {
  return b.toString('latin1', from, to);
}

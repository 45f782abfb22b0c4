/**
 * The fast path of the history reader: one http_req_duration line exactly as `encodeAttempt` writes
 * it (no escapes, string-valued flat tags and metadata), decoded from its bytes into the same Attempt
 * as `decodeLine(JSON.parse(line))` without building the JSON object graph, and making as few strings
 * as it can: numbers are read from the bytes (decimal-bytes.ts), kind/outcome/method are compared as
 * bytes, values that repeat (targets, regions, accounts, currencies, errors) come from a bounded
 * cache, and `data.time` is compared with the last whole second seen. Only the values that are unique
 * per line (key, hashes, payment id) become fresh strings.
 *
 * Anything else — other metrics, real k6 output with other field orders or value types, escaped
 * strings, malformed lines — returns NOT_OURS (null); the caller then decodes the line the general
 * way, which is also where malformed lines get their error.
 */
import { IETF_STATUSES } from '../contract/stack-http.js';
import type { Attempt } from './attempt.js';
import type { ExpectedStatuses } from '../contract/stack-http.js';
import { asciiBytes, equalsAt, matchesAt } from './ascii-bytes.js';
import { ByteStringCache } from './byte-string-cache.js';
import { decimalFromBytes, isPlainJsonNumber } from './decimal-bytes.js';
import { attemptFrom, parseRfc3339 } from './codec.js';
import {
  ATTEMPT_KINDS,
  fieldsOf,
  numberOf,
  OUTCOME_NAMES,
  PointFields,
  type HistoryField,
} from './fields.js';

/** Not the shape `encodeAttempt` writes: read the line with JSON.parse + decodeLine instead. */
export const NOT_OURS = null;

const POINT_PREFIX = asciiBytes('{"type":"Point","metric":"http_req_duration","data":{"time":"');
const VALUE_FIELD = asciiBytes('","value":');
const TAGS_FIELD = asciiBytes('"tags":{');
const METADATA_FIELD = asciiBytes(',"metadata":{');
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const CLOSE = 0x7d;
const DOT = 0x2e;
const GET = asciiBytes('GET');

interface Known {
  /** `name":"`: the name, its closing quote, the colon and the value's opening quote. */
  bytes: Buffer;
  field: HistoryField;
}

/** Known field names by their first byte, each matched in place: no scan for its end, no string. */
function byFirstByte(fields: HistoryField[]): Known[][] {
  const out: Known[][] = [];
  for (const field of fields)
    (out[field.name.charCodeAt(0)] ??= []).push({ bytes: asciiBytes(`${field.name}":"`), field });
  return out;
}
const TAGS = byFirstByte(fieldsOf('tags'));
const METADATA = byFirstByte(fieldsOf('metadata'));

const KIND_VALUES = ATTEMPT_KINDS.map((kind) => ({ bytes: asciiBytes(kind), value: kind }));
const OUTCOME_VALUES = OUTCOME_NAMES.map((outcome) => ({ bytes: asciiBytes(outcome), value: outcome }));

/** The constant among `values` whose bytes are [from, to), or undefined. */
function constantOf<T>(
  bytes: Uint8Array,
  from: number,
  to: number,
  values: { bytes: Buffer; value: T }[],
): T | undefined {
  for (const v of values) if (equalsAt(bytes, from, to, v.bytes)) return v.value;
  return undefined;
}

/** Index of the closing quote of a string starting at `from`, or -1 (escape, end of line); -2 - index: non-ASCII. */
function stringEnd(bytes: Uint8Array, from: number, end: number): number {
  let high = 0;
  for (let i = from; i < end; i++) {
    const b = bytes[i]!;
    if (b === QUOTE) return high === 0 ? i : -2 - i;
    if (b === BACKSLASH) return -1;
    high |= b & 0x80;
  }
  return -1;
}

/** Decodes our own history lines; keeps a string cache and the last `data.time` second between lines. */
export class OwnLineDecoder {
  private readonly fields = new PointFields();
  private readonly strings = new ByteStringCache();
  /** The last whole second of `data.time` parsed (`2025-01-01T00:00:00`), its offset and its epoch ms. */
  private timeSecond = Buffer.alloc(0);
  private timeOffset = Buffer.alloc(0);
  private timeBase = Number.NaN;

  /** Bytes [start, end) of one line -> the Attempt decodeLine would give, or NOT_OURS. */
  decode(
    bytes: Buffer,
    start: number,
    end: number,
    fallbackSeq: number,
    expected: ExpectedStatuses = IETF_STATUSES,
  ): Attempt | null {
    if (!matchesAt(bytes, start, end, POINT_PREFIX)) return NOT_OURS;
    let p = start + POINT_PREFIX.length;
    const timeEnd = stringEnd(bytes, p, end);
    if (timeEnd < 0) return NOT_OURS;
    const time = this.time(bytes, p, timeEnd);
    if (Number.isNaN(time) || !matchesAt(bytes, timeEnd, end, VALUE_FIELD)) return NOT_OURS;
    p = timeEnd + VALUE_FIELD.length;
    let valueEnd = p;
    while (valueEnd < end && bytes[valueEnd] !== COMMA) valueEnd++;
    const value = this.jsonNumber(bytes, p, valueEnd);
    if (!Number.isFinite(value) || !matchesAt(bytes, valueEnd + 1, end, TAGS_FIELD)) return NOT_OURS;
    const fields = this.fields;
    fields.reset();
    p = this.readFlatObject(bytes, valueEnd + 1 + TAGS_FIELD.length, end, TAGS);
    if (p < 0) return NOT_OURS;
    if (matchesAt(bytes, p, end, METADATA_FIELD)) {
      p = this.readFlatObject(bytes, p + METADATA_FIELD.length, end, METADATA);
      if (p < 0) return NOT_OURS;
    }
    if (p !== end - 2 || bytes[p] !== CLOSE || bytes[p + 1] !== CLOSE) return NOT_OURS; // }}
    return attemptFrom(time, value, fields, fallbackSeq, expected);
  }

  /** parseRfc3339 of the ASCII bytes [from, to), without a string while the whole second is the last one seen. */
  private time(bytes: Buffer, from: number, to: number): number {
    const second = this.timeSecond;
    const offset = this.timeOffset;
    const digitsEnd = to - offset.length;
    if (
      second.length > 0 &&
      bytes[from + second.length] === DOT &&
      digitsEnd > from + second.length + 1 &&
      matchesAt(bytes, from, to, second) &&
      matchesAt(bytes, digitsEnd, to, offset)
    ) {
      // ".123456789": from the '.', so only digits may follow (a '-' or a second '.' gives NaN)
      const fraction = decimalFromBytes(bytes, from + second.length, digitsEnd);
      if (!Number.isNaN(fraction)) return this.timeBase + fraction * 1000;
    }
    const text = bytes.toString('latin1', from, to);
    const time = parseRfc3339(text);
    // a new second: remember it when the text is `<second>.<digits><offset>` (what we write)
    const dot = 19;
    if (!Number.isNaN(time) && text.charCodeAt(dot) === DOT) {
      let digitsTo = dot + 1;
      while (digitsTo < text.length && text.charCodeAt(digitsTo) >= 0x30 && text.charCodeAt(digitsTo) <= 0x39)
        digitsTo++;
      const base = parseRfc3339(text.slice(0, dot) + text.slice(digitsTo));
      if (!Number.isNaN(base)) {
        this.timeSecond = Buffer.from(text.slice(0, dot), 'latin1');
        this.timeOffset = Buffer.from(text.slice(digitsTo), 'latin1');
        this.timeBase = base;
      }
    }
    return time;
  }

  /** A JSON number value (`data.value`); NaN when the bytes are not one. */
  private jsonNumber(bytes: Buffer, from: number, to: number): number {
    if (isPlainJsonNumber(bytes, from, to)) {
      const value = decimalFromBytes(bytes, from, to);
      if (!Number.isNaN(value)) return value;
    }
    const text = bytes.toString('latin1', from, to);
    return JSON_NUMBER.test(text) ? Number(text) : Number.NaN;
  }

  /** numberOf() of a string value's bytes, without the string when they are a plain decimal. */
  private number(bytes: Buffer, from: number, to: number, ascii: boolean): number {
    if (ascii) {
      const value = decimalFromBytes(bytes, from, to);
      if (!Number.isNaN(value)) return value;
    }
    return numberOf(bytes.toString(ascii ? 'latin1' : 'utf8', from, to));
  }

  /** A string value that is different on every line: a fresh string, never a slice of a larger one. */
  private static fresh(bytes: Buffer, from: number, to: number, ascii: boolean): string {
    return bytes.toString(ascii ? 'latin1' : 'utf8', from, to);
  }

  /**
   * Reads `"k":"v",...}` (the opening brace already consumed) into the fields; returns the index
   * after the closing brace, or -1 when the object is not a flat map of plain strings.
   */
  private readFlatObject(bytes: Buffer, from: number, end: number, known: Known[][]): number {
    let p = from;
    if (bytes[p] === CLOSE) return p + 1;
    for (;;) {
      if (bytes[p] !== QUOTE) return -1;
      let field: Known | undefined;
      const candidates = known[bytes[p + 1]!];
      if (candidates !== undefined) {
        for (const candidate of candidates) {
          if (matchesAt(bytes, p + 1, end, candidate.bytes)) {
            field = candidate;
            break;
          }
        }
      }
      let valueFrom: number;
      if (field !== undefined) {
        valueFrom = p + 1 + field.bytes.length;
      } else {
        // a name we do not read: only its end matters
        const nameEnd = stringEnd(bytes, p + 1, end);
        if (nameEnd < 0 || bytes[nameEnd + 1] !== COLON || bytes[nameEnd + 2] !== QUOTE) return -1; // :"
        valueFrom = nameEnd + 3;
      }
      let valueEnd = stringEnd(bytes, valueFrom, end);
      if (valueEnd === -1) return -1;
      const ascii = valueEnd >= 0;
      if (!ascii) valueEnd = -2 - valueEnd;
      if (field !== undefined) this.set(field.field, bytes, valueFrom, valueEnd, ascii);
      const next = bytes[valueEnd + 1];
      if (next === CLOSE) return valueEnd + 2;
      if (next !== COMMA) return -1;
      p = valueEnd + 2;
    }
  }

  /** One field's value, bytes [from, to): what PointFields.set would keep of its string. */
  private set(field: HistoryField, bytes: Buffer, from: number, to: number, ascii: boolean): void {
    const f = this.fields;
    switch (field.type) {
      case 'number':
        f[field.property] = this.number(bytes, from, to, ascii);
        break;
      case 'repeated':
        f[field.property] = this.strings.get(bytes, from, to);
        break;
      case 'unique':
        f[field.property] = OwnLineDecoder.fresh(bytes, from, to, ascii);
        break;
      case 'kind':
        f.kind = constantOf(bytes, from, to, KIND_VALUES);
        break;
      case 'outcome':
        f.outcome = constantOf(bytes, from, to, OUTCOME_VALUES);
        break;
      case 'method':
        f.methodIsGet = equalsAt(bytes, from, to, GET);
        break;
    }
  }
}

const shared = new OwnLineDecoder();

/**
 * One line exactly as `encodeAttempt` writes it, as bytes [start, end) -> the same Attempt as
 * `decodeLine(JSON.parse(line))`, or NOT_OURS. (Readers of whole files keep their own OwnLineDecoder.)
 */
export function decodeOwnLine(
  bytes: Buffer,
  start: number,
  end: number,
  fallbackSeq: number,
  expected: ExpectedStatuses = IETF_STATUSES,
): Attempt | null {
  return shared.decode(bytes, start, end, fallbackSeq, expected);
}

/**
 * Attempts <-> k6 JSON-output lines (`k6 run --out json=FILE`), so the checkers read runs of the
 * embedded engine and of real k6 the same way.
 *
 * One attempt = one `Point` line of `http_req_duration` (or of `chaosbank_attempt`, see below):
 * - `data.time`: the attempt's END time (k6 stamps HTTP samples at the end), RFC 3339, ns, local offset;
 * - `data.value`: ms from the INTENDED start to the end (latency without coordinated omission);
 *   real k6 writes its own duration here (from the actual send), so the reader prefers metadata;
 * - `tags`: status, method, name, scenario, expected_response, kind, target, region, error_code;
 * - `metadata`: seq, key, intended_ms, start_ms, end_ms (epoch ms, 3 decimals), payload fields,
 *   payment_id, epoch, outcome, body_hash, balance, account. All values are strings, as in k6.
 */
import { classifyStatus } from './attempt.js';
import { IETF_STATUSES } from '../contract/stack-http.js';
import type { Attempt, AttemptKind, Outcome } from './attempt.js';
import type { ExpectedStatuses } from '../contract/stack-http.js';
import { asciiBytes } from './ascii-bytes.js';
import { FIELDS, fieldsOf, PointFields, type HistoryField } from './fields.js';
import { JSON_STRING_BYTES_PER_UNIT, JSON_STRING_QUOTES, JsonBytes, NUMBER_BOUND } from './json-bytes.js';

export const SCENARIO_TAG = 'payments';
export const PAYMENTS_NAME = 'POST /v1/payments';
export const READ_NAME = 'GET /v1/accounts/{id}';
/**
 * Our k6 script's sample of one attempt, written after the response with what k6's own
 * http_req_duration sample cannot carry (serving region, epoch, payment id, body hash, balance). The
 * request's own samples are tagged `recorded_as: chaosbank_attempt` and skipped: one attempt, one line.
 */
export const K6_ATTEMPT_METRIC = 'chaosbank_attempt';
const RECORDED_AS_TAG = 'recorded_as';

/** The metrics our history declares up front (one `Metric` line each). */
export const HISTORY_METRICS = [
  { name: 'http_req_duration', type: 'trend', contains: 'time' },
  { name: 'dropped_iterations', type: 'counter', contains: 'default' },
] as const;

/** Our error names <-> k6 error codes (k6 docs: "Error codes"). */
const K6_ERROR_CODES: Record<string, string> = {
  timeout: '1050',
  dial_timeout: '1211',
  ECONNREFUSED: '1212',
  ECONNRESET: '1220',
  aborted: '1000',
};
const ERROR_NAMES: Record<string, string> = {
  '1050': 'timeout',
  '1211': 'dial_timeout',
  '1212': 'ECONNREFUSED',
  '1220': 'ECONNRESET',
};

export function k6ErrorCode(error: string | undefined): string {
  return (error !== undefined && K6_ERROR_CODES[error]) || '1000';
}

export function metricLine(metric: (typeof HISTORY_METRICS)[number]): string {
  return JSON.stringify({
    type: 'Metric',
    metric: metric.name,
    data: {
      name: metric.name,
      type: metric.type,
      contains: metric.contains,
      thresholds: [],
      submetrics: null,
    },
  });
}

// ---- time ----------------------------------------------------------------------------------------

let offsetCacheHour = Number.NaN;
let offsetCacheMinutes = 0;
let offsetCacheSuffix = 'Z';

function localOffset(epochMs: number): { minutes: number; suffix: string } {
  const hour = Math.floor(epochMs / 3_600_000);
  if (hour !== offsetCacheHour) {
    const minutes = -new Date(epochMs).getTimezoneOffset();
    const abs = Math.abs(minutes);
    offsetCacheMinutes = minutes;
    offsetCacheSuffix =
      minutes === 0
        ? 'Z'
        : `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    offsetCacheHour = hour;
  }
  return { minutes: offsetCacheMinutes, suffix: offsetCacheSuffix };
}

let secondCacheKey = Number.NaN;
let secondCachePrefix = '';
let secondCacheSuffix = 'Z';
/** The same two, as bytes (prefix + '.', suffix), for writeRfc3339. */
let secondCachePrefixBytes: Uint8Array = new Uint8Array(0);
let secondCacheSuffixBytes: Uint8Array = new Uint8Array(0);

/** Points the second cache at epochMs's second; returns the nanoseconds within that second. */
function nanosWithinSecond(epochMs: number): number {
  const second = Math.floor(epochMs / 1000);
  if (second !== secondCacheKey) {
    // One Date per second of history, not one per line.
    const { minutes, suffix } = localOffset(second * 1000);
    secondCachePrefix = new Date(second * 1000 + minutes * 60_000).toISOString().slice(0, 19);
    secondCacheSuffix = suffix;
    secondCachePrefixBytes = asciiBytes(`${secondCachePrefix}.`);
    secondCacheSuffixBytes = asciiBytes(suffix);
    secondCacheKey = second;
  }
  return Math.min(999_999_999, Math.round((epochMs - second * 1000) * 1e6));
}

/** Epoch ms (fractional) -> `2026-11-22T01:41:48.123456789+02:00` in the local offset. */
export function formatRfc3339(epochMs: number): string {
  const nanos = nanosWithinSecond(epochMs);
  return `${secondCachePrefix}.${String(nanos).padStart(9, '0')}${secondCacheSuffix}`;
}

function writeRfc3339(out: JsonBytes, epochMs: number): void {
  const nanos = nanosWithinSecond(epochMs);
  out.raw(secondCachePrefixBytes).digits(nanos, 9).raw(secondCacheSuffixBytes);
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i;
const DIGITS = /^\d+$/;

// Histories are in time order: the last second and offset seen skip the regex and Date.parse.
let parseCacheSecond = '';
let parseCacheOffset = '';
let parseCacheBase = Number.NaN;

/** RFC 3339 (any fraction length, any offset) -> epoch ms with sub-ms precision; NaN when invalid. */
export function parseRfc3339(text: string): number {
  if (
    parseCacheSecond !== '' &&
    text.charCodeAt(19) === 46 && // .
    text.startsWith(parseCacheSecond) &&
    text.endsWith(parseCacheOffset)
  ) {
    const digits = text.slice(20, text.length - parseCacheOffset.length);
    if (DIGITS.test(digits)) return parseCacheBase + Number(`0.${digits}`) * 1000;
  }
  const match = RFC3339.exec(text);
  if (match === null) return Number.NaN;
  const base = Date.parse(`${match[1]}${match[3]!.toUpperCase()}`);
  if (!Number.isNaN(base)) {
    parseCacheSecond = match[1]!;
    parseCacheOffset = match[3]!;
    parseCacheBase = base;
  }
  const fraction = match[2] === undefined ? 0 : Number(`0.${match[2]}`) * 1000;
  return base + fraction;
}

// ---- encode --------------------------------------------------------------------------------------

function ms(value: number): string {
  return value.toFixed(3);
}

/** Room the line of `attempt` can take: constants and numbers, plus every string at its worst. */
function attemptLineBound(a: Attempt): number {
  let strings = a.target.length + (a.servedBy?.length ?? 0) + (a.key?.length ?? 0);
  strings += (a.payloadHash?.length ?? 0) + (a.account?.length ?? 0) + (a.error?.length ?? 0);
  strings += (a.paymentId?.length ?? 0) + (a.bodyHash?.length ?? 0);
  const p = a.payload;
  if (p !== undefined) strings += p.from.length + p.to.length + p.currency.length;
  return 1024 + 12 * NUMBER_BOUND + 11 * JSON_STRING_QUOTES + strings * JSON_STRING_BYTES_PER_UNIT;
}

const line = new JsonBytes();
let scratch = Buffer.allocUnsafe(4096);

/** The constant parts of a line, as bytes. */
/** `"name":` of a field (FIELDS), between the bytes that close the value before it and open its own. */
const named = (before: string, field: HistoryField, after: string): Uint8Array =>
  asciiBytes(`${before}"${field.name}":${after}`);
const F = FIELDS;
const POINT_TIME = asciiBytes('{"type":"Point","metric":"http_req_duration","data":{"time":"');
const VALUE = asciiBytes('","value":');
const TAGS_STATUS = named(',"tags":{', F.status, '"');
const nameTags = (method: string, name: string): Uint8Array =>
  named('",', F.method, `"${method}","name":"${name}","scenario":"${SCENARIO_TAG}","expected_response":"`);
const READ_TAGS = nameTags('GET', READ_NAME);
const PAYMENT_TAGS = nameTags('POST', PAYMENTS_NAME);
const EXPECTED = named('true",', F.kind, '"');
const UNEXPECTED = named('false",', F.kind, '"');
const TARGET = named('",', F.target, '');
const REGION = named(',', F.region, '');
const ERROR_CODE = named(',', F.errorCode, '"');
const SEQ = named('},"metadata":{', F.seq, '"');
const INTENDED = named('",', F.intendedMs, '"');
const START = named('",', F.startMs, '"');
const END = named('",', F.endMs, '"');
const OUTCOME = named('",', F.outcome, '"');
const KEY = named(',', F.key, '');
const PAYLOAD_HASH = named(',', F.payloadHash, '');
const FROM = named(',', F.from, '');
const TO = named(',', F.to, '');
const AMOUNT = named(',', F.amount, '"');
const CURRENCY = named('",', F.currency, '');
const ACCOUNT = named(',', F.account, '');
const ERROR = named(',', F.error, '');
const PAYMENT_ID = named(',', F.paymentId, '');
const EPOCH = named(',', F.epoch, '"');
const BODY_HASH = named(',', F.bodyHash, '');
const BALANCE = named(',', F.balance, '"');
const LINE_END = asciiBytes('}}}');
const QUOTE = 0x22;

/**
 * Writes the line of `attempt` (no newline) into `buf` from `pos` and returns the position after it,
 * or -1 when `buf` may not have room (then nothing is written). Built by hand, straight into bytes:
 * this runs once per request on the hot path.
 */
export function encodeAttemptInto(attempt: Attempt, buf: Buffer, pos: number): number {
  if (pos + attemptLineBound(attempt) > buf.length) return -1;
  const out = line.at(buf, pos);
  out.raw(POINT_TIME);
  writeRfc3339(out, attempt.end);
  out.raw(VALUE).milliseconds(attempt.end - attempt.intendedStart);
  out
    .raw(TAGS_STATUS)
    .number(attempt.status)
    .raw(attempt.kind === 'read' ? READ_TAGS : PAYMENT_TAGS);
  out.raw(attempt.outcome === 'info' ? UNEXPECTED : EXPECTED).ascii(attempt.kind);
  out.raw(TARGET).string(attempt.target);
  if (attempt.servedBy !== undefined) out.raw(REGION).string(attempt.servedBy);
  if (attempt.status === 0) out.raw(ERROR_CODE).ascii(k6ErrorCode(attempt.error)).byte(QUOTE);

  out.raw(SEQ).number(attempt.seq);
  out.raw(INTENDED).fixed3(attempt.intendedStart);
  out.raw(START).fixed3(attempt.start);
  out.raw(END).fixed3(attempt.end);
  out.raw(OUTCOME).ascii(attempt.outcome).byte(QUOTE);
  if (attempt.key !== undefined) out.raw(KEY).string(attempt.key);
  if (attempt.payloadHash !== undefined) out.raw(PAYLOAD_HASH).string(attempt.payloadHash);
  const p = attempt.payload;
  if (p !== undefined) {
    out.raw(FROM).string(p.from).raw(TO).string(p.to);
    out.raw(AMOUNT).number(p.amount).raw(CURRENCY).string(p.currency);
  }
  if (attempt.account !== undefined) out.raw(ACCOUNT).string(attempt.account);
  if (attempt.error !== undefined) out.raw(ERROR).string(attempt.error);
  if (attempt.paymentId !== undefined) out.raw(PAYMENT_ID).string(attempt.paymentId);
  if (attempt.epoch !== undefined) out.raw(EPOCH).number(attempt.epoch).byte(QUOTE);
  if (attempt.bodyHash !== undefined) out.raw(BODY_HASH).string(attempt.bodyHash);
  if (attempt.balance !== undefined) out.raw(BALANCE).number(attempt.balance).byte(QUOTE);
  out.raw(LINE_END);
  return out.pos;
}

/** The line of `attempt` as a string (encodeAttemptInto through a scratch buffer). */
export function encodeAttempt(attempt: Attempt): string {
  let end = encodeAttemptInto(attempt, scratch, 0);
  if (end < 0) {
    scratch = Buffer.allocUnsafe(attemptLineBound(attempt));
    end = encodeAttemptInto(attempt, scratch, 0);
  }
  return scratch.toString('utf8', 0, end);
}

/** A `dropped_iterations` point: demand the engine could not serve (no free slot), at its intended time. */
export function encodeDropped(intendedMs: number, target: string): string {
  return JSON.stringify({
    type: 'Point',
    metric: 'dropped_iterations',
    data: {
      time: formatRfc3339(intendedMs),
      value: 1,
      tags: { scenario: SCENARIO_TAG, target },
      metadata: { intended_ms: ms(intendedMs) },
    },
  });
}

// ---- decode --------------------------------------------------------------------------------------

export interface K6Line {
  type?: unknown;
  metric?: unknown;
  data?: { time?: unknown; value?: unknown; tags?: unknown; metadata?: unknown } | null;
}

const TAG_FIELDS = new Map(fieldsOf('tags').map((f) => [f.name, f]));
const METADATA_FIELDS = new Map(fieldsOf('metadata').map((f) => [f.name, f]));

function stringRecord(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

/**
 * A parsed k6 line -> Attempt, or undefined for lines that are not attempts (Metric declarations,
 * other metrics, request samples our k6 script records again as `chaosbank_attempt`). `fallbackSeq` numbers samples that carry no `seq` (plain k6 output).
 * Throws an Error with a reason when an http_req_duration point is malformed.
 */
export function decodeLine(
  line: K6Line,
  fallbackSeq: number,
  expected: ExpectedStatuses = IETF_STATUSES,
): Attempt | undefined {
  if (line.type !== 'Point' || (line.metric !== 'http_req_duration' && line.metric !== K6_ATTEMPT_METRIC))
    return undefined;
  const data = line.data;
  if (data === null || data === undefined || typeof data !== 'object')
    throw new Error('Point without `data`');
  if (typeof data.time !== 'string') throw new Error('Point without a `data.time` string');
  const time = parseRfc3339(data.time);
  if (Number.isNaN(time)) throw new Error(`\`data.time\` is not RFC 3339: ${data.time}`);
  if (typeof data.value !== 'number' || !Number.isFinite(data.value))
    throw new Error('Point without a numeric `data.value`');
  const tags = stringRecord(data.tags);
  if (line.metric === 'http_req_duration' && tags[RECORDED_AS_TAG] === K6_ATTEMPT_METRIC) return undefined;
  const fields = new PointFields();
  for (const [name, value] of Object.entries(tags)) {
    const field = TAG_FIELDS.get(name);
    if (field !== undefined) fields.set(field, value);
  }
  for (const [name, value] of Object.entries(stringRecord(data.metadata))) {
    const field = METADATA_FIELDS.get(name);
    if (field !== undefined) fields.set(field, value);
  }
  return attemptFrom(time, data.value, fields, fallbackSeq, expected);
}

/** The Attempt of one http_req_duration point: `time` and `value` from `data`, the rest from tags and metadata. */
export function attemptFrom(
  time: number,
  value: number,
  f: PointFields,
  fallbackSeq: number,
  expected: ExpectedStatuses,
): Attempt {
  const status = Number.isNaN(f.status) ? 0 : f.status;
  const end = Number.isNaN(f.endMs) ? time : f.endMs;
  const start = Number.isNaN(f.startMs) ? end - value : f.startMs;
  const intendedStart = Number.isNaN(f.intendedMs) ? start : f.intendedMs;
  const kind: AttemptKind = f.kind ?? (f.methodIsGet ? 'read' : 'first');
  const outcome: Outcome = f.outcome ?? classifyStatus(status, expected);

  const attempt: Attempt = {
    seq: Number.isNaN(f.seq) ? fallbackSeq : f.seq,
    kind,
    target: f.target ?? 'router',
    intendedStart,
    start,
    end,
    status,
    outcome,
  };
  if (f.key !== undefined) attempt.key = f.key;
  if (f.payloadHash !== undefined) attempt.payloadHash = f.payloadHash;
  if (f.from !== undefined && f.to !== undefined && !Number.isNaN(f.amount) && f.currency !== undefined)
    attempt.payload = { from: f.from, to: f.to, amount: f.amount, currency: f.currency };
  if (f.account !== undefined) attempt.account = f.account;
  if (status === 0) {
    const code = f.errorCode;
    attempt.error = f.error ?? (code !== undefined ? (ERROR_NAMES[code] ?? `k6_${code}`) : 'unknown');
  }
  if (f.paymentId !== undefined) attempt.paymentId = f.paymentId;
  if (f.region !== undefined) attempt.servedBy = f.region;
  if (!Number.isNaN(f.epoch)) attempt.epoch = f.epoch;
  if (f.bodyHash !== undefined) attempt.bodyHash = f.bodyHash;
  if (!Number.isNaN(f.balance)) attempt.balance = f.balance;
  return attempt;
}

/**
 * Attempts <-> k6 JSON-output lines (`k6 run --out json=FILE`), so the checkers read runs of the
 * embedded engine and of real k6 the same way.
 *
 * One attempt = one `Point` line of `http_req_duration`:
 * - `data.time`: the attempt's END time (k6 stamps HTTP samples at the end), RFC 3339, ns, local offset;
 * - `data.value`: ms from the INTENDED start to the end (latency without coordinated omission);
 *   real k6 writes its own duration here (from the actual send), so the reader prefers metadata;
 * - `tags`: status, method, name, scenario, expected_response, kind, target, region, error_code;
 * - `metadata`: seq, key, intended_ms, start_ms, end_ms (epoch ms, 3 decimals), payload fields,
 *   payment_id, epoch, outcome, body_hash, balance, account. All values are strings, as in k6.
 */
import { classifyStatus, IETF_STATUSES } from './attempt.js';
import type { Attempt, AttemptKind, ExpectedStatuses, Outcome } from './attempt.js';

export const SCENARIO_TAG = 'payments';
export const PAYMENTS_NAME = 'POST /v1/payments';
export const READ_NAME = 'GET /v1/accounts/{id}';

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

/** Epoch ms (fractional) -> `2026-11-22T01:41:48.123456789+02:00` in the local offset. */
export function formatRfc3339(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== secondCacheKey) {
    // One Date per second of history, not one per line.
    const { minutes, suffix } = localOffset(second * 1000);
    secondCachePrefix = new Date(second * 1000 + minutes * 60_000).toISOString().slice(0, 19);
    secondCacheSuffix = suffix;
    secondCacheKey = second;
  }
  const nanos = Math.min(999_999_999, Math.round((epochMs - second * 1000) * 1e6));
  return `${secondCachePrefix}.${String(nanos).padStart(9, '0')}${secondCacheSuffix}`;
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

const q = JSON.stringify;

/**
 * Built by hand rather than through objects and JSON.stringify: this runs once per request on the
 * hot path. Every value that did not come from our own code goes through JSON.stringify (`q`).
 */
export function encodeAttempt(attempt: Attempt): string {
  const read = attempt.kind === 'read';
  let tags =
    `{"status":"${attempt.status}","method":"${read ? 'GET' : 'POST'}","name":"${read ? READ_NAME : PAYMENTS_NAME}"` +
    `,"scenario":"${SCENARIO_TAG}","expected_response":"${attempt.outcome === 'info' ? 'false' : 'true'}"` +
    `,"kind":"${attempt.kind}","target":${q(attempt.target)}`;
  if (attempt.servedBy !== undefined) tags += `,"region":${q(attempt.servedBy)}`;
  if (attempt.status === 0) tags += `,"error_code":"${k6ErrorCode(attempt.error)}"`;
  tags += '}';

  let meta =
    `{"seq":"${attempt.seq}","intended_ms":"${ms(attempt.intendedStart)}","start_ms":"${ms(attempt.start)}"` +
    `,"end_ms":"${ms(attempt.end)}","outcome":"${attempt.outcome}"`;
  if (attempt.key !== undefined) meta += `,"key":${q(attempt.key)}`;
  if (attempt.payloadHash !== undefined) meta += `,"payload_hash":${q(attempt.payloadHash)}`;
  const p = attempt.payload;
  if (p !== undefined)
    meta += `,"from":${q(p.from)},"to":${q(p.to)},"amount":"${p.amount}","currency":${q(p.currency)}`;
  if (attempt.account !== undefined) meta += `,"account":${q(attempt.account)}`;
  if (attempt.error !== undefined) meta += `,"error":${q(attempt.error)}`;
  if (attempt.paymentId !== undefined) meta += `,"payment_id":${q(attempt.paymentId)}`;
  if (attempt.epoch !== undefined) meta += `,"epoch":"${attempt.epoch}"`;
  if (attempt.bodyHash !== undefined) meta += `,"body_hash":${q(attempt.bodyHash)}`;
  if (attempt.balance !== undefined) meta += `,"balance":"${attempt.balance}"`;
  meta += '}';

  const value = Math.round((attempt.end - attempt.intendedStart) * 1000) / 1000;
  return (
    `{"type":"Point","metric":"http_req_duration","data":{"time":"${formatRfc3339(attempt.end)}"` +
    `,"value":${value},"tags":${tags},"metadata":${meta}}}`
  );
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

const KINDS: ReadonlySet<string> = new Set<AttemptKind>([
  'first',
  'retry',
  'replay',
  'concurrent',
  'mismatch',
  'read',
]);
const OUTCOMES: ReadonlySet<string> = new Set<Outcome>(['ok', 'fail', 'info']);

function stringRecord(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

function optionalNumber(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** The tags and metadata values an Attempt is built from (tag and metadata names do not overlap). */
class PointFields {
  // tags
  status: string | undefined = undefined;
  method: string | undefined = undefined;
  kind: string | undefined = undefined;
  target: string | undefined = undefined;
  region: string | undefined = undefined;
  error_code: string | undefined = undefined;
  // metadata
  seq: string | undefined = undefined;
  intended_ms: string | undefined = undefined;
  start_ms: string | undefined = undefined;
  end_ms: string | undefined = undefined;
  outcome: string | undefined = undefined;
  key: string | undefined = undefined;
  payload_hash: string | undefined = undefined;
  from: string | undefined = undefined;
  to: string | undefined = undefined;
  amount: string | undefined = undefined;
  currency: string | undefined = undefined;
  account: string | undefined = undefined;
  error: string | undefined = undefined;
  payment_id: string | undefined = undefined;
  epoch: string | undefined = undefined;
  body_hash: string | undefined = undefined;
  balance: string | undefined = undefined;

  reset(): void {
    this.status = this.method = this.kind = this.target = this.region = this.error_code = undefined;
    this.seq = this.intended_ms = this.start_ms = this.end_ms = this.outcome = this.key = undefined;
    this.payload_hash = this.from = this.to = this.amount = this.currency = this.account = undefined;
    this.error = this.payment_id = this.epoch = this.body_hash = this.balance = undefined;
  }

  /** Keep a tag we read; false for tags we do not use (ignored, as by decodeLine). */
  setTag(name: string, value: string): void {
    switch (name) {
      case 'status':
        this.status = value;
        break;
      case 'method':
        this.method = value;
        break;
      case 'kind':
        this.kind = value;
        break;
      case 'target':
        this.target = value;
        break;
      case 'region':
        this.region = value;
        break;
      case 'error_code':
        this.error_code = value;
        break;
    }
  }

  setMeta(name: string, value: string): void {
    switch (name) {
      case 'seq':
        this.seq = value;
        break;
      case 'intended_ms':
        this.intended_ms = value;
        break;
      case 'start_ms':
        this.start_ms = value;
        break;
      case 'end_ms':
        this.end_ms = value;
        break;
      case 'outcome':
        this.outcome = value;
        break;
      case 'key':
        this.key = value;
        break;
      case 'payload_hash':
        this.payload_hash = value;
        break;
      case 'from':
        this.from = value;
        break;
      case 'to':
        this.to = value;
        break;
      case 'amount':
        this.amount = value;
        break;
      case 'currency':
        this.currency = value;
        break;
      case 'account':
        this.account = value;
        break;
      case 'error':
        this.error = value;
        break;
      case 'payment_id':
        this.payment_id = value;
        break;
      case 'epoch':
        this.epoch = value;
        break;
      case 'body_hash':
        this.body_hash = value;
        break;
      case 'balance':
        this.balance = value;
        break;
    }
  }
}

/**
 * A parsed k6 line -> Attempt, or undefined for lines that are not HTTP request samples (Metric
 * declarations, other metrics). `fallbackSeq` numbers samples that carry no `seq` (plain k6 output).
 * Throws an Error with a reason when an http_req_duration point is malformed.
 */
export function decodeLine(
  line: K6Line,
  fallbackSeq: number,
  expected: ExpectedStatuses = IETF_STATUSES,
): Attempt | undefined {
  if (line.type !== 'Point' || line.metric !== 'http_req_duration') return undefined;
  const data = line.data;
  if (data === null || data === undefined || typeof data !== 'object')
    throw new Error('Point without `data`');
  if (typeof data.time !== 'string') throw new Error('Point without a `data.time` string');
  const time = parseRfc3339(data.time);
  if (Number.isNaN(time)) throw new Error(`\`data.time\` is not RFC 3339: ${data.time}`);
  if (typeof data.value !== 'number' || !Number.isFinite(data.value))
    throw new Error('Point without a numeric `data.value`');
  const fields = new PointFields();
  for (const [name, value] of Object.entries(stringRecord(data.tags))) fields.setTag(name, value);
  for (const [name, value] of Object.entries(stringRecord(data.metadata))) fields.setMeta(name, value);
  return attemptFrom(time, data.value, fields, fallbackSeq, expected);
}

function attemptFrom(
  time: number,
  value: number,
  f: PointFields,
  fallbackSeq: number,
  expected: ExpectedStatuses,
): Attempt {
  const status = optionalNumber(f.status) ?? 0;
  const end = optionalNumber(f.end_ms) ?? time;
  const start = optionalNumber(f.start_ms) ?? end - value;
  const intendedStart = optionalNumber(f.intended_ms) ?? start;
  const method = f.method ?? 'GET';
  const kindTag = f.kind;
  const kind: AttemptKind =
    kindTag !== undefined && KINDS.has(kindTag)
      ? (kindTag as AttemptKind)
      : method === 'GET'
        ? 'read'
        : 'first';
  const outcome: Outcome =
    f.outcome !== undefined && OUTCOMES.has(f.outcome)
      ? (f.outcome as Outcome)
      : classifyStatus(status, expected);

  const attempt: Attempt = {
    seq: optionalNumber(f.seq) ?? fallbackSeq,
    kind,
    target: f.target ?? 'router',
    intendedStart,
    start,
    end,
    status,
    outcome,
  };
  if (f.key !== undefined) attempt.key = f.key;
  if (f.payload_hash !== undefined) attempt.payloadHash = f.payload_hash;
  const amount = optionalNumber(f.amount);
  if (f.from !== undefined && f.to !== undefined && amount !== undefined && f.currency !== undefined)
    attempt.payload = { from: f.from, to: f.to, amount, currency: f.currency };
  if (f.account !== undefined) attempt.account = f.account;
  if (status === 0) {
    const code = f.error_code;
    attempt.error = f.error ?? (code !== undefined ? (ERROR_NAMES[code] ?? `k6_${code}`) : 'unknown');
  }
  if (f.payment_id !== undefined) attempt.paymentId = f.payment_id;
  if (f.region !== undefined) attempt.servedBy = f.region;
  const epoch = optionalNumber(f.epoch);
  if (epoch !== undefined) attempt.epoch = epoch;
  if (f.body_hash !== undefined) attempt.bodyHash = f.body_hash;
  const balance = optionalNumber(f.balance);
  if (balance !== undefined) attempt.balance = balance;
  return attempt;
}

// ---- decode, fast path ---------------------------------------------------------------------------

/** Not the shape `encodeAttempt` writes: read the line with JSON.parse + decodeLine instead. */
export const NOT_OURS = null;

const POINT_PREFIX = Buffer.from('{"type":"Point","metric":"http_req_duration","data":{"time":"', 'latin1');
const VALUE_FIELD = Buffer.from('","value":', 'latin1');
const TAGS_FIELD = Buffer.from('"tags":{', 'latin1');
const METADATA_FIELD = Buffer.from(',"metadata":{', 'latin1');
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const TAG_NAMES = ['status', 'method', 'kind', 'target', 'region', 'error_code'];
const META_NAMES = [
  'seq',
  'intended_ms',
  'start_ms',
  'end_ms',
  'outcome',
  'key',
  'payload_hash',
  'from',
  'to',
  'amount',
  'currency',
  'account',
  'error',
  'payment_id',
  'epoch',
  'body_hash',
  'balance',
];
/** Known field names by byte length, so a name is matched without making a string of it. */
function byLength(names: string[]): { name: string; bytes: Buffer }[][] {
  const out: { name: string; bytes: Buffer }[][] = [];
  for (const name of names) (out[name.length] ??= []).push({ name, bytes: Buffer.from(name, 'latin1') });
  return out;
}
const TAGS_BY_LENGTH = byLength(TAG_NAMES);
const META_BY_LENGTH = byLength(META_NAMES);

const reusedFields = new PointFields();

function matchesAt(bytes: Uint8Array, at: number, end: number, pattern: Uint8Array): boolean {
  if (at + pattern.length > end) return false;
  for (let i = 0; i < pattern.length; i++) if (bytes[at + i] !== pattern[i]) return false;
  return true;
}

/** A fresh string of bytes [from, to): never a slice of a larger string, so it retains nothing else. */
function text(bytes: Buffer, from: number, to: number, ascii: boolean): string {
  return bytes.toString(ascii ? 'latin1' : 'utf8', from, to);
}

/** Index of the closing quote of a string starting at `from`, or -1 (escape, end of line); bit 31 set: non-ASCII. */
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

/**
 * One http_req_duration line exactly as `encodeAttempt` writes it (no escapes, string-valued flat
 * tags and metadata), as bytes [start, end) -> the same Attempt as `decodeLine(JSON.parse(line))`,
 * without building the JSON object graph. Returns NOT_OURS (null) for anything else — other metrics,
 * real k6 output with other field orders or value types, escaped strings, malformed lines — which
 * the caller then decodes the general way (and which is where malformed lines get their error).
 */
export function decodeOwnLine(
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
  const time = parseRfc3339(text(bytes, p, timeEnd, true));
  if (Number.isNaN(time) || !matchesAt(bytes, timeEnd, end, VALUE_FIELD)) return NOT_OURS;
  p = timeEnd + VALUE_FIELD.length;
  let valueEnd = p;
  while (valueEnd < end && bytes[valueEnd] !== 0x2c) valueEnd++; // ,
  const valueText = text(bytes, p, valueEnd, true);
  if (!JSON_NUMBER.test(valueText)) return NOT_OURS;
  const value = Number(valueText);
  if (!Number.isFinite(value) || !matchesAt(bytes, valueEnd + 1, end, TAGS_FIELD)) return NOT_OURS;
  const fields = reusedFields;
  fields.reset();
  p = readFlatObject(bytes, valueEnd + 1 + TAGS_FIELD.length, end, fields, false);
  if (p < 0) return NOT_OURS;
  if (matchesAt(bytes, p, end, METADATA_FIELD)) {
    p = readFlatObject(bytes, p + METADATA_FIELD.length, end, fields, true);
    if (p < 0) return NOT_OURS;
  }
  if (p !== end - 2 || bytes[p] !== 0x7d || bytes[p + 1] !== 0x7d) return NOT_OURS; // }}
  return attemptFrom(time, value, fields, fallbackSeq, expected);
}

/**
 * Reads `"k":"v",...}` (the opening brace already consumed) into fields; returns the index after the
 * closing brace, or -1 when the object is not a flat map of plain strings.
 */
function readFlatObject(
  bytes: Buffer,
  from: number,
  end: number,
  fields: PointFields,
  meta: boolean,
): number {
  let p = from;
  if (bytes[p] === 0x7d) return p + 1; // }
  const known = meta ? META_BY_LENGTH : TAGS_BY_LENGTH;
  for (;;) {
    if (bytes[p] !== QUOTE) return -1;
    const nameEnd = stringEnd(bytes, p + 1, end);
    if (nameEnd < 0 || bytes[nameEnd + 1] !== 0x3a || bytes[nameEnd + 2] !== QUOTE) return -1; // :"
    let valueEnd = stringEnd(bytes, nameEnd + 3, end);
    if (valueEnd === -1) return -1;
    const ascii = valueEnd >= 0;
    if (!ascii) valueEnd = -2 - valueEnd;
    const candidates = known[nameEnd - p - 1];
    if (candidates !== undefined) {
      for (const candidate of candidates) {
        if (!matchesAt(bytes, p + 1, nameEnd, candidate.bytes)) continue;
        const value = text(bytes, nameEnd + 3, valueEnd, ascii);
        if (meta) fields.setMeta(candidate.name, value);
        else fields.setTag(candidate.name, value);
        break;
      }
    }
    const next = bytes[valueEnd + 1];
    if (next === 0x7d) return valueEnd + 2; // }
    if (next !== 0x2c) return -1; // ,
    p = valueEnd + 2;
  }
}

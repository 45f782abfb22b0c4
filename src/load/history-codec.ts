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

/** RFC 3339 (any fraction length, any offset) -> epoch ms with sub-ms precision; NaN when invalid. */
export function parseRfc3339(text: string): number {
  const match = RFC3339.exec(text);
  if (match === null) return Number.NaN;
  const base = Date.parse(`${match[1]}${match[3]!.toUpperCase()}`);
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
  const tags = stringRecord(data.tags);
  const meta = stringRecord(data.metadata);

  const status = optionalNumber(tags.status) ?? 0;
  const end = optionalNumber(meta.end_ms) ?? time;
  const start = optionalNumber(meta.start_ms) ?? end - data.value;
  const intendedStart = optionalNumber(meta.intended_ms) ?? start;
  const method = tags.method ?? 'GET';
  const kindTag = tags.kind;
  const kind: AttemptKind =
    kindTag !== undefined && KINDS.has(kindTag)
      ? (kindTag as AttemptKind)
      : method === 'GET'
        ? 'read'
        : 'first';
  const outcome: Outcome =
    meta.outcome !== undefined && OUTCOMES.has(meta.outcome)
      ? (meta.outcome as Outcome)
      : classifyStatus(status, expected);

  const attempt: Attempt = {
    seq: optionalNumber(meta.seq) ?? fallbackSeq,
    kind,
    target: tags.target ?? 'router',
    intendedStart,
    start,
    end,
    status,
    outcome,
  };
  if (meta.key !== undefined) attempt.key = meta.key;
  if (meta.payload_hash !== undefined) attempt.payloadHash = meta.payload_hash;
  const amount = optionalNumber(meta.amount);
  if (meta.from !== undefined && meta.to !== undefined && amount !== undefined && meta.currency !== undefined)
    attempt.payload = { from: meta.from, to: meta.to, amount, currency: meta.currency };
  if (meta.account !== undefined) attempt.account = meta.account;
  if (status === 0) {
    const code = tags.error_code;
    attempt.error = meta.error ?? (code !== undefined ? (ERROR_NAMES[code] ?? `k6_${code}`) : 'unknown');
  }
  if (meta.payment_id !== undefined) attempt.paymentId = meta.payment_id;
  if (tags.region !== undefined) attempt.servedBy = tags.region;
  const epoch = optionalNumber(meta.epoch);
  if (epoch !== undefined) attempt.epoch = epoch;
  if (meta.body_hash !== undefined) attempt.bodyHash = meta.body_hash;
  const balance = optionalNumber(meta.balance);
  if (balance !== undefined) attempt.balance = balance;
  return attempt;
}

/**
 * chaosbank payment workload for real k6 (>= 1.0 runs .ts directly). Same workload and the same
 * history tags/metadata as the embedded engine (src/load/), so `readHistory()` reads its
 * `--out json=FILE` output. Started by src/load/k6-runner.ts with these environment variables:
 *   CHAOSBANK_ROUTER_URL   client entry point (global router)
 *   CHAOSBANK_REGION_URLS  JSON {"us-east":"http://...", ...} (cross-region duplicates)
 *   CHAOSBANK_LOAD         JSON of the scenario's `load` section (durations in ms)
 *   CHAOSBANK_SEED         workload seed; CHAOSBANK_KEY_PREFIX  run-unique idempotency key prefix
 * Decisions are drawn per iteration from (seed, iteration number), so they do not depend on which
 * VU runs an iteration.
 *
 * What the checkers need from a response (serving region, primary epoch, payment id, body hash, read
 * balance) is known only after k6 has written its own http_req_duration sample, so every request is
 * recorded once more, after its response, as a `chaosbank_attempt` sample carrying those fields (as
 * tags for the low-cardinality ones, as VU metadata for the rest). The request's own samples are
 * tagged `recorded_as: chaosbank_attempt`, and the history reader reads the attempt from that sample.
 */
import http from 'k6/http';
import type { RefinedResponse, ResponseType } from 'k6/http';
import exec from 'k6/execution';
import { sleep } from 'k6';
import { Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import { bodyEssentials } from './body-hash.ts';

interface LoadEnv {
  rate?: number;
  duration?: number;
  stages?: { target: number; duration: number }[];
  accounts: { count: number; currency: string };
  amount: { distribution: 'uniform' | 'lognormal'; min: number; max: number };
  timeout: number;
  maxInFlight: number;
  retry: { attempts: number; backoff: number; maxBackoff: number; sameKey: boolean };
  mix: {
    replays: number;
    concurrentDuplicates: number;
    crossRegionDuplicates: number;
    mismatches: number;
    reads: number;
  };
}

// Without the workload every iteration would throw: fail in the init context (k6 exits 107) instead.
if (__ENV.CHAOSBANK_LOAD === undefined || __ENV.CHAOSBANK_LOAD === '')
  throw new Error(
    'CHAOSBANK_LOAD is not set: this script is run by `chaosbank run --load k6`, which sets it',
  );
const load = JSON.parse(__ENV.CHAOSBANK_LOAD) as LoadEnv;
const routerUrl = __ENV.CHAOSBANK_ROUTER_URL ?? 'http://127.0.0.1:8080';
const regionUrls = JSON.parse(__ENV.CHAOSBANK_REGION_URLS ?? '{}') as Record<string, string>;
const regionNames = Object.keys(regionUrls);
const seed = Number(__ENV.CHAOSBANK_SEED ?? '1');
const keyPrefix = __ENV.CHAOSBANK_KEY_PREFIX ?? `k6${seed.toString(36)}`;
const maxVUs = load.maxInFlight ?? 1000;

export const options: Options = {
  scenarios: {
    payments:
      load.stages !== undefined
        ? {
            executor: 'ramping-arrival-rate',
            startRate: load.rate ?? 0,
            timeUnit: '1s',
            stages: load.stages.map((s) => ({ target: s.target, duration: `${s.duration}ms` })),
            preAllocatedVUs: Math.min(maxVUs, 50),
            maxVUs,
          }
        : {
            executor: 'constant-arrival-rate',
            rate: load.rate ?? 1,
            timeUnit: '1s',
            duration: `${load.duration ?? 1000}ms`,
            preAllocatedVUs: Math.min(maxVUs, 50),
            maxVUs,
          },
  },
};

// Documented answers are "expected"; network errors and 5xx are not (see docs/load.md).
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 299 }, 400, 402, 404, 409, 422));

function random(iteration: number, stream: number): () => number {
  let a = (seed ^ 0x9e3779b9) >>> 0;
  let b = (iteration * 0x85ebca6b) >>> 0;
  let c = (stream * 0xc2b2ae35) >>> 0;
  let d = 1;
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

function account(index: number): string {
  return `acc-${String(index + 1).padStart(4, '0')}`;
}

interface Payment {
  from: string;
  to: string;
  amount: number;
  currency: string;
}

/** Completed payments this VU may replay or reuse with a changed amount. */
const completed: { key: string; payment: Payment }[] = [];

function amount(u1: number, u2: number): number {
  const { min, max, distribution } = load.amount;
  if (distribution === 'uniform') return min + Math.floor(u1 * (max - min + 1));
  const mu = (Math.log(min) + Math.log(max)) / 2;
  const sigma = Math.max(1e-9, (Math.log(max) - Math.log(min)) / 6);
  const z = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  return Math.min(max, Math.max(min, Math.round(Math.exp(mu + sigma * z))));
}

function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

function body(p: Payment): string {
  return JSON.stringify({ from: p.from, to: p.to, amount: p.amount, currency: p.currency });
}

let seq = 0;

/** One sample per request, written after its response (see the header comment). */
const attempts = new Trend('chaosbank_attempt', true);
const RECORDED_AS = 'chaosbank_attempt';

function header(res: RefinedResponse<ResponseType | undefined>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(res.headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** The attempt of one response: k6's own fields as tags, the response essentials as metadata. */
function record(
  res: RefinedResponse<ResponseType | undefined>,
  method: string,
  tags: Record<string, string>,
): void {
  const meta = exec.vu.metrics.metadata;
  meta.seq = String(exec.vu.idInTest * 1_000_000_000 + seq++);
  meta.end_ms = Date.now().toFixed(3);
  for (const name of ['payment_id', 'epoch', 'body_hash', 'balance']) delete meta[name];
  const attemptTags: Record<string, string> = {
    kind: tags.kind ?? 'first',
    target: tags.target ?? 'router',
    name: tags.name ?? '',
    method,
    status: String(res.status),
  };
  if (res.status === 0) attemptTags.error_code = String(res.error_code);
  const region = header(res, 'X-Served-By-Region');
  if (region !== undefined) attemptTags.region = region;
  const epoch = header(res, 'X-Primary-Epoch');
  if (epoch !== undefined) meta.epoch = epoch;
  if (typeof res.body === 'string' && res.body.length > 0) {
    const essentials = bodyEssentials(res.body);
    meta.body_hash = essentials.bodyHash;
    if (tags.kind === 'read') {
      if (essentials.balance !== undefined) meta.balance = String(essentials.balance);
    } else if (essentials.id !== undefined && res.status >= 200 && res.status < 300)
      meta.payment_id = essentials.id;
  }
  attempts.add(Number(meta.end_ms) - Number(meta.intended_ms), attemptTags);
}

/** Request params carrying our tags; metadata is set on the VU just before the request. */
function prepare(
  kind: string,
  target: string,
  key: string,
  p: Payment,
  intendedMs: number,
): {
  headers: Record<string, string>;
  tags: Record<string, string>;
  timeout: number;
} {
  const text = body(p);
  const meta = exec.vu.metrics.metadata;
  meta.key = key;
  meta.intended_ms = intendedMs.toFixed(3);
  meta.start_ms = Date.now().toFixed(3);
  meta.payload_hash = hash(text);
  meta.from = p.from;
  meta.to = p.to;
  meta.amount = String(p.amount);
  meta.currency = p.currency;
  return {
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    tags: { kind, target, name: 'POST /v1/payments', recorded_as: RECORDED_AS },
    timeout: load.timeout,
  };
}

function urlOf(target: string): string {
  return target === 'router' ? routerUrl : (regionUrls[target] ?? routerUrl);
}

function isCompleted(res: RefinedResponse<ResponseType | undefined>): boolean {
  return res.status !== 0 && res.status !== 409 && res.status < 500;
}

export default function (): void {
  const iteration = exec.scenario.iterationInTest;
  const intendedMs = Date.now(); // arrival-rate executors start iterations on schedule
  // VU metadata persists across iterations: start each one clean so a read never carries a payment's key.
  const metadata = exec.vu.metrics.metadata;
  for (const name of Object.keys(metadata)) delete metadata[name];
  const r = random(iteration, 1);
  const u = r();
  const uFrom = r();
  const uTo = r();
  const uA1 = r();
  const uA2 = r();
  const uPick = r();
  const m = load.mix;
  let edge = m.reads;
  if (u < edge) {
    const id = account(Math.floor(uFrom * load.accounts.count));
    metadata.account = id;
    metadata.intended_ms = intendedMs.toFixed(3);
    metadata.start_ms = Date.now().toFixed(3);
    const tags = { kind: 'read', target: 'router', name: 'GET /v1/accounts/{id}', recorded_as: RECORDED_AS };
    record(http.get(`${routerUrl}/v1/accounts/${id}`, { tags, timeout: load.timeout }), 'GET', tags);
    return;
  }
  const reuse = completed.length > 0 ? completed[Math.floor(uPick * completed.length)] : undefined;
  if (u < (edge += m.replays) && reuse !== undefined) {
    const params = prepare('replay', 'router', reuse.key, reuse.payment, intendedMs);
    record(http.post(`${routerUrl}/v1/payments`, body(reuse.payment), params), 'POST', params.tags);
    return;
  }
  const concurrentEdge = (edge += m.concurrentDuplicates);
  const crossEdge = (edge += m.crossRegionDuplicates);
  if (u >= crossEdge && u < (edge += m.mismatches) && reuse !== undefined) {
    const changed = {
      ...reuse.payment,
      amount: reuse.payment.amount >= load.amount.max ? reuse.payment.amount - 1 : reuse.payment.amount + 1,
    };
    const params = prepare('mismatch', 'router', reuse.key, changed, intendedMs);
    record(http.post(`${routerUrl}/v1/payments`, body(changed), params), 'POST', params.tags);
    return;
  }
  const count = load.accounts.count;
  const from = Math.floor(uFrom * count);
  let to = Math.floor(uTo * (count - 1));
  if (to >= from) to++;
  const payment: Payment = {
    from: account(from),
    to: account(to),
    amount: amount(uA1, uA2),
    currency: load.accounts.currency,
  };
  const key = `${keyPrefix}-${iteration.toString(36)}`;
  let primary = 'router';
  let second: string | undefined;
  if (u >= m.reads + m.replays && u < concurrentEdge) second = 'router';
  else if (u >= concurrentEdge && u < crossEdge && regionNames.length >= 2) {
    const first = Math.floor(uPick * regionNames.length);
    primary = regionNames[first]!;
    second = regionNames[(first + 1) % regionNames.length]!;
  }
  let res: RefinedResponse<ResponseType | undefined>;
  if (second !== undefined) {
    const firstParams = prepare('first', primary, key, payment, intendedMs);
    const secondParams = {
      ...firstParams,
      tags: { ...firstParams.tags, kind: 'concurrent', target: second },
    };
    const responses = http.batch([
      ['POST', `${urlOf(primary)}/v1/payments`, body(payment), firstParams],
      ['POST', `${urlOf(second)}/v1/payments`, body(payment), secondParams],
    ]);
    res = responses[0]!;
    record(res, 'POST', firstParams.tags);
    record(responses[1]!, 'POST', secondParams.tags);
  } else {
    const params = prepare('first', primary, key, payment, intendedMs);
    res = http.post(`${urlOf(primary)}/v1/payments`, body(payment), params);
    record(res, 'POST', params.tags);
  }
  const jitter = random(iteration, 2);
  let retryKey = key;
  for (
    let attempt = 1;
    attempt < load.retry.attempts && (res.status === 0 || res.status >= 500 || res.status === 409);
    attempt++
  ) {
    const ceiling = Math.min(load.retry.maxBackoff, load.retry.backoff * 2 ** (attempt - 1));
    const wait = ceiling / 2 + jitter() * (ceiling / 2);
    sleep(wait / 1000);
    if (!load.retry.sameKey) retryKey = `${key}-r${attempt}`;
    const params = prepare('retry', primary, retryKey, payment, Date.now());
    res = http.post(`${urlOf(primary)}/v1/payments`, body(payment), params);
    record(res, 'POST', params.tags);
  }
  if (isCompleted(res)) {
    if (completed.length >= 4096) completed.shift();
    completed.push({ key: retryKey, payment });
  }
}

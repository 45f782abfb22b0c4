/**
 * The open-model payment load engine.
 *
 * Arrivals start at their INTENDED time from the rate profile (schedule.ts), whatever the system
 * under test does: a timer loop fires every arrival that is due (batches, drift-free because times
 * are absolute). Latency is measured from the intended start, so a stalled server shows up as
 * latency instead of a lower request rate (no coordinated omission). An arrival that finds
 * `maxInFlight` iterations already running is dropped and counted (k6's dropped_iterations).
 *
 * One iteration = one operation of the workload: a payment (with its retries and, for duplicates,
 * the second copy), a replay, a mismatch or a balance read. It holds one slot until it finishes.
 */
import { Pool } from 'undici';
import { InputError } from '../contract/errors.js';
import type { LoadSpec } from './spec.js';
import { classifyStatus } from '../history/attempt.js';
import { IETF_STATUSES } from '../contract/stack-http.js';
import type { Attempt, AttemptKind } from '../history/attempt.js';
import type { ExpectedStatuses } from '../contract/stack-http.js';
import type { PaymentPayload } from '../contract/payment.js';
import { DeadlineQueue } from './deadlines.js';
import { ResponseCollector } from './http-client.js';
import type { AttemptSink } from '../history/writer.js';
import { createRandom } from './prng.js';
import { readResponseBody } from './response-body.js';
import { ArrivalSchedule } from './schedule.js';
import { LoadStats, summarize } from './stats.js';
import type { LatencySummary } from './stats.js';
import { warmUp } from './warm-up.js';
import type { WarmUpResult } from './warm-up.js';
import { accountId, backoffMs, PaymentWorkload } from './workload.js';
import type { Operation } from './workload.js';
import { STACK_HEADERS, STACK_PATHS } from '../contract/stack-http.js';

/**
 * Arrivals closer together than this (above 4,000/s) are left to the timer tick, which fires them in
 * batches of several per wake-up; sparser ones are also fired by responses, between ticks. Each extra
 * wake-up costs a few µs of CPU (on VMs more), which at 15,000/s was a tenth of the client's budget.
 */
const DENSE_ARRIVAL_GAP_MS = 0.25;

/** Warm-up requests in flight per target: enough keep-alive connections for the first burst. */
const WARM_UP_CONCURRENCY = 16;

export interface LoadTargets {
  /** The client entry point (global router). */
  router: string;
  /** Per-region API URLs, for cross-region duplicates. */
  regions?: Record<string, string>;
}

export interface LoadEngineOptions {
  load: LoadSpec;
  targets: LoadTargets;
  /** Seeds the workload (kinds, accounts, amounts) and the retry jitter. */
  seed: number;
  /** Run-unique prefix of every idempotency key (default derived from the seed and the clock). */
  keyPrefix?: string;
  expected?: ExpectedStatuses;
  /** Where attempts go (normally a HistoryWriter). */
  sink?: AttemptSink;
  onAttempt?: (attempt: Attempt) => void;
  /** Stops the run early: no new arrivals, pending retries cancelled, requests in flight aborted. */
  signal?: AbortSignal;
  /**
   * Keep-alive connections per target (default 256, at most 2·maxInFlight). Beyond it requests wait
   * in the client's queue (still timed from their intended start): opening a connection per
   * concurrent request would make an overloaded client spiral into connection storms.
   */
  connectionsPerTarget?: number;
}

export interface PaymentCounts {
  /** Payments started (new keys; replays, mismatches and reads excluded). */
  total: number;
  /** Acknowledged (2xx) within the retry budget. */
  succeeded: number;
  /** Ended with the business decline status. */
  declined: number;
  /** Ended with another definite failure. */
  failed: number;
  /** Retry budget exhausted (or run stopped) with the effect still unknown. */
  unknown: number;
}

export interface LoadSummary {
  seed: number;
  keyPrefix: string;
  targetRate: number;
  scheduledMs: number;
  elapsedMs: number;
  /** Arrivals the profile asked for / that started / that found no free slot / never fired (stopped). */
  arrivals: number;
  started: number;
  dropped: number;
  unfired: number;
  /** Iterations started per second between the first and the last arrival. */
  achievedRate: number;
  requests: number;
  outcomes: { ok: number; fail: number; info: number };
  byKind: Record<AttemptKind, number>;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  payments: PaymentCounts;
  /** From the intended start (what a user saw), from the actual send, and how late sends were. */
  latencyMs: LatencySummary;
  serviceTimeMs: LatencySummary;
  schedulingLagMs: LatencySummary;
  /** The unrecorded reads sent before the first arrival (warm-up.ts). */
  warmUp: WarmUpResult;
  stopped: boolean;
}

interface Target {
  name: string;
  pool: Pool;
}

/** What a payment-like attempt sends (an Operation of type payment, replay or mismatch). */
interface PaymentRequest {
  payload: PaymentPayload;
  body: string;
  payloadHash: string;
}

const NO_HEADERS: string[] = [];
const IDEMPOTENCY_KEY = STACK_HEADERS.idempotencyKey.toLowerCase();

/** One attempt in flight: its context, and the undici handler collecting its response. */
class AttemptRequest extends ResponseCollector {
  key: string | undefined = undefined;
  request: PaymentRequest | undefined = undefined;
  account: string | undefined = undefined;
  /** Index in the engine's in-flight list. */
  slot = -1;

  constructor(
    private readonly engine: LoadEngine,
    readonly seq: number,
    readonly kind: AttemptKind,
    readonly target: Target,
    readonly intendedStart: number,
    readonly start: number,
    readonly done: (attempt: Attempt) => void,
  ) {
    super();
  }

  protected responseEnded(): void {
    this.engine.attemptEnded(this);
  }
}

const wallClockBase = performance.timeOrigin;
function epochNow(): number {
  return wallClockBase + performance.now();
}

export class LoadEngine {
  readonly stats = new LoadStats();
  readonly keyPrefix: string;
  private readonly options: LoadEngineOptions;
  private readonly expected: ExpectedStatuses;
  private readonly schedule: ArrivalSchedule;
  private readonly workload: PaymentWorkload;
  private readonly jitter = createRandom(0);
  private readonly router: Target;
  private readonly regions = new Map<string, Target>();
  /**
   * Attempts in flight; each knows its index (`slot`) and leaves by swapping with the last one. A Set
   * would do, but its table is reallocated as entries come and go, at every request's expense.
   */
  private readonly inFlight: AttemptRequest[] = [];
  /** Times out attempts `load.timeout` after they were sent (deadlines.ts). */
  private readonly deadlines: DeadlineQueue;
  /** Pending retry timers and what to do when a stop cancels them. */
  private readonly retryTimers = new Map<NodeJS.Timeout, () => void>();
  private destroying: Promise<unknown> | undefined;
  private readonly payments: PaymentCounts = { total: 0, succeeded: 0, declined: 0, failed: 0, unknown: 0 };
  private seq = 0;
  private nextArrival = 0;
  /** Offset (ms from the start) of the next arrival; undefined past the end of the schedule. */
  private nextOffset: number | undefined = undefined;
  /** Offset of the last arrival fired. */
  private firedOffset = 0;
  private startPerf = 0;
  private firstFire = Number.NaN;
  private lastFire = Number.NaN;
  private stopping = false;
  private schedulingDone = false;
  private timer: NodeJS.Timeout | undefined;
  private finish: (() => void) | undefined;
  private warmedUp: Promise<WarmUpResult> | undefined;
  /** Due arrivals wait for a setImmediate (fireQueuedArrivals) queued by a response. */
  private fireQueued = false;

  constructor(options: LoadEngineOptions) {
    this.options = options;
    const { load } = options;
    this.expected = options.expected ?? IETF_STATUSES;
    this.schedule = new ArrivalSchedule({
      rate: load.rate,
      durationMs: load.duration,
      stages: load.stages?.map((s) => ({ target: s.target, durationMs: s.duration })),
    });
    this.deadlines = new DeadlineQueue(load.timeout, epochNow);
    this.keyPrefix = options.keyPrefix ?? `cb${(options.seed >>> 0).toString(36)}${Date.now().toString(36)}`;
    const connections = Math.max(1, Math.min(options.connectionsPerTarget ?? 256, load.maxInFlight * 2));
    const makePool = (name: string, url: string): Target => {
      let origin: URL;
      try {
        origin = new URL(url);
      } catch (cause) {
        throw new InputError('LOAD_BAD_TARGET', `the ${name} URL is not a valid URL: ${url}`, { cause });
      }
      return {
        name,
        pool: new Pool(origin.origin, {
          connections,
          pipelining: 1,
          connectTimeout: load.timeout,
          headersTimeout: load.timeout,
          bodyTimeout: load.timeout,
          keepAliveTimeout: 30_000,
        }),
      };
    };
    const regionNames = Object.keys(options.targets.regions ?? {});
    this.workload = new PaymentWorkload(load, {
      seed: options.seed,
      keyPrefix: this.keyPrefix,
      regions: regionNames,
    });
    this.jitter = createRandom(options.seed, 2);
    this.router = makePool('router', options.targets.router);
    for (const [name, url] of Object.entries(options.targets.regions ?? {}))
      this.regions.set(name, makePool(name, url));
  }

  /**
   * Warm the client up (warm-up.ts) before the schedule starts. `run()` does it when not done yet;
   * call it first when something else (a fault timeline) must start together with the first arrival.
   */
  warmUp(): Promise<WarmUpResult> {
    const { load, signal } = this.options;
    this.warmedUp ??= warmUp(this.pools(), {
      requests: load.warmUp,
      concurrency: WARM_UP_CONCURRENCY,
      path: `${STACK_PATHS.accounts}/${accountId(0)}`,
      deadlineMs: Math.min(5000, 2 * load.timeout),
      ...(signal === undefined ? {} : { signal }),
    });
    return this.warmedUp;
  }

  async run(): Promise<LoadSummary> {
    const { signal } = this.options;
    const warmUpResult = await this.warmUp();
    const onAbort = (): void => this.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      this.startPerf = performance.now();
      this.stats.begin(this.startPerf);
      const finished = new Promise<void>((resolve) => (this.finish = resolve));
      if (signal?.aborted === true) this.stop();
      else this.tick();
      await finished;
      return this.summary(warmUpResult);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await this.closePools();
    }
  }

  /** Stop early (same as aborting the signal). */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.schedulingDone = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.deadlines.clear();
    for (const [timer, cancel] of this.retryTimers) {
      clearTimeout(timer);
      cancel();
    }
    this.retryTimers.clear();
    // a copy: cancelling can end an attempt at once, which takes it out of inFlight
    for (const request of [...this.inFlight]) request.cancel();
    // Destroying the pools also fails requests still waiting for a connection.
    this.destroying = Promise.all(this.pools().map((pool) => pool.destroy()));
    this.maybeFinish();
  }

  private tick = (): void => {
    this.timer = undefined;
    if (this.stopping) return;
    const offset = this.fireDue(performance.now());
    if (offset === undefined) {
      this.schedulingDone = true;
      this.maybeFinish();
      return;
    }
    // Timers fire late, never early (and in whole ms): wake up at the next arrival's ms. When arrivals
    // are sparse, responses arriving in between also fire due arrivals (attemptEnded queues fireDue
    // after their I/O batch), which keeps the lag under the timer granularity without spinning.
    const wait = offset - (performance.now() - this.startPerf);
    this.timer = setTimeout(this.tick, Math.max(1, Math.floor(wait)));
  };

  /**
   * Start every arrival due at `now` (performance clock); returns the offset of the next one, or
   * undefined past the end of the schedule. Safe to re-enter: the arrival index is claimed first.
   */
  private fireDue(now: number): number | undefined {
    const elapsed = now - this.startPerf;
    for (;;) {
      const offset = this.schedule.offsetOf(this.nextArrival);
      if (offset === undefined || offset > elapsed) {
        this.nextOffset = offset;
        return offset;
      }
      const index = this.nextArrival++;
      this.firedOffset = offset;
      this.arrive(index, this.startPerf + offset, now);
    }
  }

  private arrive(index: number, intendedPerf: number, nowPerf: number): void {
    this.stats.arrivals++;
    if (Number.isNaN(this.firstFire)) this.firstFire = nowPerf;
    this.lastFire = nowPerf;
    const intendedEpoch = wallClockBase + intendedPerf;
    const operation = this.workload.next(index);
    if (this.stats.activeIterations >= this.options.load.maxInFlight) {
      this.stats.dropped++;
      this.options.sink?.dropped?.(intendedEpoch, 'router');
      return;
    }
    this.stats.activeIterations++;
    this.runOperation(operation, intendedEpoch);
  }

  private runOperation(operation: Operation, intendedEpoch: number): void {
    const done = (): void => this.iterationDone();
    switch (operation.type) {
      case 'read':
        this.send(this.router, 'read', intendedEpoch, undefined, undefined, operation.account, done);
        return;
      case 'replay':
      case 'mismatch':
        this.send(this.router, operation.type, intendedEpoch, operation.key, operation, undefined, done);
        return;
      case 'payment': {
        this.payments.total++;
        let pending = operation.duplicate === undefined ? 1 : 2;
        const partDone = (): void => {
          if (--pending === 0) done();
        };
        let primary = this.router;
        let second = this.router;
        if (operation.duplicate?.kind === 'cross-region') {
          primary = this.regions.get(operation.duplicate.regions[0])!;
          second = this.regions.get(operation.duplicate.regions[1])!;
        }
        this.paymentChain(primary, operation, 1, operation.key, intendedEpoch, partDone);
        if (operation.duplicate !== undefined)
          this.send(second, 'concurrent', intendedEpoch, operation.key, operation, undefined, partDone);
        return;
      }
    }
  }

  /** A payment's first attempt and its retries (same key and payload unless retry.sameKey is false). */
  private paymentChain(
    target: Target,
    operation: Extract<Operation, { type: 'payment' }>,
    attemptNo: number,
    key: string,
    intendedEpoch: number,
    done: () => void,
  ): void {
    const kind: AttemptKind = attemptNo === 1 ? 'first' : 'retry';
    this.send(target, kind, intendedEpoch, key, operation, undefined, (attempt) => {
      const retryable = attempt.outcome === 'info' || attempt.status === this.expected.inFlight;
      const { retry } = this.options.load;
      if (retryable && attemptNo < retry.attempts && !this.stopping) {
        const wait = backoffMs(attemptNo, retry.backoff, retry.maxBackoff, this.jitter);
        const nextKey = retry.sameKey ? key : `${operation.key}-r${attemptNo}`;
        const due = attempt.end + wait;
        const timer = setTimeout(() => {
          this.retryTimers.delete(timer);
          // libuv timers can fire a fraction of a ms before `due` (cached loop time): never intend the future.
          this.paymentChain(target, operation, attemptNo + 1, nextKey, Math.min(due, epochNow()), done);
        }, wait);
        this.retryTimers.set(timer, () => {
          this.payments.unknown++;
          done();
        });
        return;
      }
      if (attempt.outcome === 'ok') this.payments.succeeded++;
      else if (attempt.outcome === 'fail' && attempt.status === this.expected.decline)
        this.payments.declined++;
      else if (attempt.outcome === 'fail' && attempt.status !== this.expected.inFlight)
        this.payments.failed++;
      else this.payments.unknown++;
      done();
    });
  }

  /**
   * Send one attempt. `request` carries the payload (payments, replays, mismatches); `account` the
   * account of a read. The request object is the undici handler itself: one allocation per attempt.
   */
  private send(
    target: Target,
    kind: AttemptKind,
    intendedEpoch: number,
    key: string | undefined,
    request: PaymentRequest | undefined,
    account: string | undefined,
    done: (attempt: Attempt) => void,
  ): void {
    const start = epochNow();
    this.stats.recordSent(start - intendedEpoch);
    const attempt = new AttemptRequest(this, this.seq++, kind, target, intendedEpoch, start, done);
    attempt.key = key;
    attempt.request = request;
    attempt.account = account;
    attempt.slot = this.inFlight.length;
    this.inFlight.push(attempt);
    this.deadlines.add(attempt);
    target.pool.dispatch(
      request === undefined
        ? { method: 'GET', path: `${STACK_PATHS.accounts}/${account!}`, headers: NO_HEADERS }
        : {
            method: 'POST',
            path: STACK_PATHS.payments,
            headers: ['content-type', 'application/json', IDEMPOTENCY_KEY, key!],
            body: request.body,
          },
      attempt,
    );
  }

  /** Called by AttemptRequest once its response completed or failed. */
  attemptEnded(request: AttemptRequest): void {
    this.leaveInFlight(request);
    const end = epochNow();
    const { kind } = request;
    const attempt = this.toAttempt(request, end);
    this.stats.recordDone(
      kind,
      attempt.outcome,
      attempt.status,
      attempt.error,
      end - request.intendedStart,
      end - request.start,
    );
    if (
      request.request !== undefined &&
      attempt.status !== 0 &&
      attempt.status !== this.expected.inFlight &&
      attempt.status < 500 &&
      (kind === 'first' || kind === 'retry' || kind === 'concurrent')
    )
      this.workload.completed(attempt.key!, request.request.payload);
    this.options.sink?.write(attempt);
    this.options.onAttempt?.(attempt);
    request.done(attempt);
    const perfEnd = end - wallClockBase;
    if (
      !this.fireQueued &&
      this.timer !== undefined &&
      this.nextOffset !== undefined &&
      this.nextOffset - this.firedOffset >= DENSE_ARRIVAL_GAP_MS &&
      perfEnd - this.startPerf >= this.nextOffset
    ) {
      // Not at once: after every response of this I/O batch, so due arrivals go out together.
      this.fireQueued = true;
      setImmediate(this.fireQueuedArrivals);
    }
  }

  private leaveInFlight(request: AttemptRequest): void {
    const last = this.inFlight.pop()!;
    if (last !== request) {
      this.inFlight[request.slot] = last;
      last.slot = request.slot;
    }
    request.slot = -1;
  }

  private fireQueuedArrivals = (): void => {
    this.fireQueued = false;
    if (this.timer !== undefined && !this.stopping) this.fireDue(performance.now());
  };

  private toAttempt(request: AttemptRequest, end: number): Attempt {
    const { status } = request;
    const attempt: Attempt = {
      seq: request.seq,
      kind: request.kind,
      target: request.target.name,
      intendedStart: request.intendedStart,
      start: request.start,
      end,
      status,
      outcome: classifyStatus(status, this.expected),
    };
    if (request.key !== undefined) attempt.key = request.key;
    const payment = request.request;
    if (payment !== undefined) {
      attempt.payloadHash = payment.payloadHash;
      attempt.payload = payment.payload;
    }
    if (request.account !== undefined) attempt.account = request.account;
    if (request.error !== undefined) attempt.error = request.error;
    if (request.servedBy !== undefined) attempt.servedBy = request.servedBy;
    if (request.epoch !== undefined) attempt.epoch = request.epoch;
    const body = request.bodyBytes();
    if (body.length > 0) {
      const { bodyHash, id, balance } = readResponseBody(body);
      attempt.bodyHash = bodyHash;
      if (request.kind === 'read') {
        if (balance !== undefined) attempt.balance = balance;
      } else if (id !== undefined && status >= 200 && status < 300) {
        attempt.paymentId = id;
      }
    }
    return attempt;
  }

  private iterationDone(): void {
    this.stats.activeIterations--;
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.schedulingDone && this.stats.activeIterations === 0 && this.finish !== undefined) {
      this.deadlines.clear();
      const finish = this.finish;
      this.finish = undefined;
      finish();
    }
  }

  private pools(): Pool[] {
    return [this.router, ...this.regions.values()].map((t) => t.pool);
  }

  private async closePools(): Promise<void> {
    if (this.destroying !== undefined) await this.destroying;
    else await Promise.all(this.pools().map((pool) => pool.close()));
  }

  private summary(warmUp: WarmUpResult): LoadSummary {
    const s = this.stats;
    const started = s.arrivals - s.dropped;
    const window = this.lastFire - this.firstFire;
    const record = <K extends string | number>(map: Map<K, number>): Record<string, number> =>
      Object.fromEntries([...map.entries()].map(([k, v]) => [String(k), v]));
    return {
      seed: this.options.seed,
      keyPrefix: this.keyPrefix,
      targetRate:
        this.schedule.durationMs === 0 ? 0 : (this.schedule.total / this.schedule.durationMs) * 1000,
      scheduledMs: this.schedule.durationMs,
      elapsedMs: performance.now() - this.startPerf,
      arrivals: this.schedule.total,
      started,
      dropped: s.dropped,
      unfired: this.schedule.total - s.arrivals,
      achievedRate: started > 1 && window > 0 ? ((started - 1) / window) * 1000 : 0,
      requests: s.requests,
      outcomes: { ...s.outcomes },
      byKind: { ...s.byKind },
      statuses: record(s.statuses),
      errors: record(s.errors),
      payments: { ...this.payments },
      latencyMs: summarize(s.latency),
      serviceTimeMs: summarize(s.serviceTime),
      schedulingLagMs: summarize(s.schedulingLag),
      warmUp,
      stopped: this.stopping,
    };
  }
}

export async function runLoad(options: LoadEngineOptions): Promise<LoadSummary> {
  return new LoadEngine(options).run();
}

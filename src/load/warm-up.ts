/**
 * Warm-up before the first arrival: a few hundred balance reads per target, neither recorded nor
 * counted. A cold client (JIT not yet compiled, HTTP parser not yet instantiated, no keep-alive
 * connection open) needs a second or more to reach its steady cost; on an open schedule that second
 * turns into a backlog of hundreds of ms that the run would otherwise blame on the system under test.
 *
 * Reads are the workload's only side-effect-free request. Failures are ignored: a target that is down
 * is the run's business, not the warm-up's, and the warm-up never takes longer than its deadline.
 */
import type { Dispatcher } from 'undici';
import { ResponseCollector } from './http-client.js';

export interface WarmUpOptions {
  /** Requests per target. */
  requests: number;
  /** Requests in flight per target at once (and so the keep-alive connections opened). */
  concurrency: number;
  path: string;
  /** Give up (cancelling what is in flight) after this long. */
  deadlineMs: number;
  signal?: AbortSignal;
}

export interface WarmUpResult {
  sent: number;
  /** Answered with any HTTP status (the connection and the parser were exercised). */
  answered: number;
  elapsedMs: number;
}

class WarmUpRequest extends ResponseCollector {
  constructor(private readonly ended: (answered: boolean) => void) {
    super();
  }

  protected responseEnded(): void {
    this.ended(this.status !== 0);
  }
}

export async function warmUp(pools: Dispatcher[], options: WarmUpOptions): Promise<WarmUpResult> {
  const started = performance.now();
  const result: WarmUpResult = { sent: 0, answered: 0, elapsedMs: 0 };
  if (options.requests <= 0 || pools.length === 0 || options.signal?.aborted === true) return result;
  const inFlight = new Set<WarmUpRequest>();
  await new Promise<void>((resolve) => {
    let remaining = pools.length * options.requests;
    let stopped = false;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      clearTimeout(deadline);
      options.signal?.removeEventListener('abort', stop);
      for (const request of inFlight) request.cancel();
      resolve();
    };
    const deadline = setTimeout(stop, options.deadlineMs);
    options.signal?.addEventListener('abort', stop, { once: true });
    const sendNext = (pool: Dispatcher, left: number): void => {
      if (stopped || left <= 0) return;
      const request = new WarmUpRequest((answered) => {
        inFlight.delete(request);
        if (answered) result.answered++;
        if (--remaining === 0) stop();
        else sendNext(pool, left - options.concurrency);
      });
      inFlight.add(request);
      result.sent++;
      pool.dispatch({ method: 'GET', path: options.path, headers: [] }, request);
    };
    // `concurrency` chains per pool, each sending every concurrency-th of its requests.
    for (const pool of pools)
      for (let chain = 0; chain < Math.min(options.concurrency, options.requests); chain++)
        sendNext(pool, options.requests - chain);
  });
  result.elapsedMs = performance.now() - started;
  return result;
}

/**
 * Steady state before the first fault: send the load profile's starting rate and wait until the SLO
 * (steadyState.successRate, and p99 when set) has held over the last `steadyState.duration`, or give up
 * after `steadyState.timeout`. Its attempts go into the run's history like any other (they are real
 * payments the checkers must account for).
 */
import { LoadEngine } from '../load/engine.js';
import { ProgressReporter } from '../load/progress.js';
import { clientCausedStatuses } from '../checks/expectations.js';
import { currentPhase, type RunContext } from './context.js';
import { LiveWindows } from './live-windows.js';
import { initialRate, loadTargets } from './load-targets.js';

export interface SteadyStateResult {
  reached: boolean;
  elapsedMs: number;
  successRate: number | null;
  p99Ms: number | null;
}

const EVALUATE_EVERY_MS = 250;

export async function reachSteadyState(ctx: RunContext, signal: AbortSignal): Promise<SteadyStateResult> {
  const { scenario } = ctx;
  const spec = scenario.steadyState;
  const windows = new LiveWindows(clientCausedStatuses(scenario.idempotency));
  const stop = new AbortController();
  const engine = new LoadEngine({
    load: {
      ...scenario.load,
      rate: initialRate(scenario.load),
      duration: spec.timeout,
      stages: undefined,
    },
    targets: loadTargets(ctx.stack!),
    seed: ctx.seed ^ 0x5eed,
    keyPrefix: `${ctx.runId}-ss-`,
    expected: scenario.idempotency,
    ...(ctx.history ? { sink: ctx.history } : {}),
    onAttempt: (attempt) => windows.add(attempt),
    signal: AbortSignal.any([signal, stop.signal]),
  });
  const progress = progressFor(ctx, engine);
  const startedAt = Date.now();
  let result: SteadyStateResult = { reached: false, elapsedMs: 0, successRate: null, p99Ms: null };
  // The probe stops at the timeout, in-flight requests included: a stuck stack must not stretch it.
  const deadline = setTimeout(() => stop.abort(), spec.timeout);
  const timer = setInterval(() => {
    const now = Date.now();
    if (now - startedAt < spec.duration) return;
    const figures = windows.figures(now, spec.duration);
    result = {
      reached: false,
      elapsedMs: now - startedAt,
      successRate: figures.successRate,
      p99Ms: figures.p99Ms,
    };
    const rateOk = figures.successRate !== null && figures.successRate >= spec.successRate;
    const latencyOk = spec.p99 === undefined || (figures.p99Ms !== null && figures.p99Ms <= spec.p99);
    if (rateOk && latencyOk) {
      result.reached = true;
      stop.abort();
    }
  }, EVALUATE_EVERY_MS);
  try {
    const summary = await engine.run();
    ctx.engineSummaries.push(summary);
  } finally {
    clearInterval(timer);
    clearTimeout(deadline);
    progress?.stop();
  }
  result.elapsedMs = Date.now() - startedAt;
  return result;
}

export function progressFor(ctx: RunContext, engine: LoadEngine, faults?: () => string[]) {
  const stream = ctx.options.progress;
  if (stream === undefined || ctx.options.quiet === true) return undefined;
  return new ProgressReporter({
    stream,
    stats: engine.stats,
    status: () => ({ phase: currentPhase(ctx), faults: faults?.() ?? [] }),
  }).start();
}

/**
 * Load with the fault timeline: the load profile starts, and every fault is applied at its `at`
 * offset from that start and reverted after its duration (the rest at heal). Threshold abort
 * conditions are evaluated on live windows and the ledger probe checks conservation; either stops
 * the load early and records why (the pipeline then heals, collects and checks what it has).
 */
import { clientCausedStatuses } from '../checks/expectations.js';
import { InterruptedError } from '../contract/errors.js';
import { LoadEngine } from '../load/engine.js';
import { runK6 } from '../load/k6-runner.js';
import { FaultTimeline } from '../faults/timeline.js';
import { join } from 'node:path';
import { note, type RunContext } from './context.js';
import { ThresholdTracker } from './abort-conditions.js';
import { LedgerProbe } from './ledger-probe.js';
import { LiveWindows } from './live-windows.js';
import { loadTargets } from './load-targets.js';
import { progressFor } from './steady-state.js';
import { historyFileName } from './run-manifest.js';

const EVALUATE_EVERY_MS = 250;
/** Live threshold aborts look at the attempts that ended in the last second. */
const LIVE_SPAN_MS = 1000;

export async function runLoadWithFaults(ctx: RunContext, signal: AbortSignal): Promise<void> {
  const { scenario, stack, injector } = ctx;
  const stop = new AbortController();
  const loadSignal = AbortSignal.any([signal, stop.signal]);
  const abortRun = (condition: string, reason: string, evidence?: Record<string, unknown>): void => {
    if (ctx.abort !== undefined) return;
    ctx.abort = { condition, reason, ...(evidence ? { evidence } : {}) };
    ctx.log(`abort: ${reason}`);
    stop.abort();
  };

  const timeline = new FaultTimeline({
    faults: scenario.faults,
    injector: injector!,
    topology: ctx.topology,
    signal: loadSignal,
    onError: (error, entry, phase) =>
      note(
        ctx,
        `could not ${phase} fault ${entry.id}: ${error instanceof Error ? error.message : String(error)}`,
      ),
  });
  ctx.timeline = timeline;
  const activeFaults = (): string[] =>
    timeline
      .entries()
      .filter((e) => e.state === 'active' || e.state === 'applying')
      .map((e) => e.id);

  const probe = ctx.aborts.ledgerInvariant
    ? new LedgerProbe({
        routerUrl: stack!.routerUrl,
        accounts: scenario.load.accounts,
        onBroken: (finding) =>
          abortRun(
            'ledger_invariant_broken',
            `ledger invariant broken: ${finding.message}`,
            finding.evidence,
          ),
      }).start()
    : undefined;

  try {
    if (ctx.loadEngine === 'k6') {
      if (ctx.aborts.thresholds.length > 0)
        note(ctx, 'threshold abort conditions are evaluated live only with the embedded load engine');
      // k6 gzips its JSON output when the file name ends in .gz
      const outFile = join(ctx.outDir, historyFileName('k6', ctx.options.history ?? 'gzip'));
      ctx.historyFiles.push(outFile);
      timeline.start(Date.now());
      await runK6({
        load: scenario.load,
        targets: loadTargets(stack!),
        seed: ctx.seed,
        keyPrefix: `${ctx.runId}-`,
        outFile,
        logFile: join(ctx.outDir, 'k6.log'),
        ...(ctx.k6 === undefined ? {} : { k6: ctx.k6 }),
        signal: loadSignal,
      }).catch((error: unknown) => {
        if (!stop.signal.aborted) throw error; // an abort condition stopped k6: not an error
      });
      return;
    }

    const windows = new LiveWindows(clientCausedStatuses(scenario.idempotency));
    const trackers = ctx.aborts.thresholds.map((t) => new ThresholdTracker(t));
    const engine = new LoadEngine({
      load: scenario.load,
      targets: loadTargets(stack!),
      seed: ctx.seed,
      keyPrefix: `${ctx.runId}-`,
      expected: scenario.idempotency,
      ...(ctx.history ? { sink: ctx.history } : {}),
      onAttempt: (attempt) => windows.add(attempt),
      signal: loadSignal,
    });
    const evaluator =
      trackers.length === 0
        ? undefined
        : setInterval(() => {
            const now = Date.now();
            const figures = windows.figures(now, LIVE_SPAN_MS);
            for (const tracker of trackers) {
              const { value, fired } = tracker.observe(figures, now);
              if (fired)
                abortRun(
                  tracker.abort.source,
                  `abort condition \`${tracker.abort.source}\` held (${tracker.abort.metric} = ${value})`,
                  {
                    [tracker.abort.metric]: value,
                  },
                );
            }
          }, EVALUATE_EVERY_MS);
    // Faults are timed from the first arrival, so the warm-up comes before the timeline starts.
    await engine.warmUp();
    const progress = progressFor(ctx, engine, activeFaults);
    timeline.start(Date.now());
    try {
      ctx.engineSummaries.push(await engine.run());
    } finally {
      if (evaluator !== undefined) clearInterval(evaluator);
      progress?.stop();
    }
  } finally {
    timeline.stop();
    await probe?.stop();
  }
  if (signal.aborted) throw new InterruptedError();
}

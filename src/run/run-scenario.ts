/**
 * `runScenario()`: one scenario end to end, as a list of tasks whose teardowns run in reverse whatever
 * happens (success, failure, abort condition, Ctrl-C):
 *
 *   provision -> steady-state -> load + fault timeline -> heal -> settle -> collect -> check -> gate
 *   -> (teardown: faults healed, stack down, history closed) -> report
 *
 * A scenario abort condition is not an error: it cuts the load short, and the run still heals,
 * collects and checks what it has, so the partial report shows why it stopped. Ctrl-C skips straight
 * to the teardowns and writes a partial report from the history streamed so far.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EnvironmentError, InputError, InterruptedError } from '../contract/errors.js';
import { FaultInjector } from '../faults/injector.js';
import { HistoryWriter, type AttemptSink } from '../history/writer.js';
import { jsonReporter } from './json-reporter.js';
import { writeReports } from './reporter.js';
import { parseScenarioOrThrow, readScenarioText } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import type { Topology } from '../contract/topology.js';
import { planTopologyOf } from '../scenario/topology-of.js';
import { planAborts } from './abort-conditions.js';
import { buildRunReport } from './build-report.js';
import { checkRun } from './check.js';
import { collectArtifacts, gatherEvents, writeEvents } from './collect.js';
import { closePhases, enterPhase, journalEvent, note, recordEvent, type RunContext } from './context.js';
import { DEFAULT_DRIVER, resolveDriver } from '../../drivers/registry.js';
import { evaluateGates } from './gates.js';
import { nothingMeasured } from '../checks/not-measured.js';
import { healStack } from './heal.js';
import { runLoadWithFaults } from './load-phase.js';
import { checkK6 } from '../load/k6-runner.js';
import type { RunOptions, RunResult } from './options.js';
import { decideOutcome } from './outcome.js';
import { newRunId, randomSeed } from '../topology/run-id.js';
import { historyArtifactName, historyFileName, writeRunManifest } from './run-manifest.js';
import { settleLedgers } from './settle.js';
import { reachSteadyState } from './steady-state.js';
import { runTasks, type Task } from './task-runner.js';

export async function runScenario(options: RunOptions): Promise<RunResult> {
  const signal = options.signal ?? new AbortController().signal;
  const log = (line: string): void => {
    if (options.quiet !== true && options.progress !== undefined) options.progress.write(`${line}\n`);
  };

  // Plan everything that can be wrong with the input before starting anything.
  const text = await readScenarioText(options.scenarioPath);
  const scenario = parseScenarioOrThrow(text, options.scenarioPath, {
    onWarning: (issue) => log(`warning: ${issue.message}`),
  });
  const aborts = planAborts(scenario.aborts);
  const driverName = options.driver ?? DEFAULT_DRIVER;
  const driver = await resolveDriver(driverName);
  const loadEngine = options.loadEngine ?? scenario.load.engine;
  if (options.seed !== undefined && (!Number.isSafeInteger(options.seed) || options.seed < 0))
    throw new InputError('BAD_SEED', `--seed must be a non-negative integer, got ${options.seed}`);
  const seed = options.seed ?? randomSeed();
  // k6 and its version are checked before anything starts: a missing or too old k6 is exit 3 now,
  // not after the stack was provisioned and the steady state had run.
  const k6 = loadEngine === 'k6' ? await checkK6() : undefined;
  const runId = options.runId ?? newRunId(scenario.metadata.name);
  const outDir = resolve(options.out ?? join('reports', runId));
  try {
    await mkdir(outDir, { recursive: true });
  } catch (cause) {
    throw new EnvironmentError('OUT_DIR_UNWRITABLE', `cannot create the report folder ${outDir}`, { cause });
  }

  const ctx: RunContext = {
    options,
    runId,
    scenario,
    scenarioFile: options.scenarioPath,
    scenarioSha256: createHash('sha256').update(text).digest('hex'),
    seed,
    outDir,
    driverName,
    loadEngine,
    ...(k6 === undefined ? {} : { k6 }),
    topology: topologyOf(scenario, runId),
    aborts,
    startedAt: Date.now(),
    log,
    historyFiles: [],
    runEvents: [],
    phases: [],
    engineSummaries: [],
    notes: [],
  };
  try {
    await writeRunManifest(
      outDir,
      {
        manifestVersion: 1,
        runId,
        scenarioFile: ctx.scenarioFile,
        scenarioSha256: ctx.scenarioSha256,
        seed,
        driver: driverName,
        loadEngine,
        startedAt: ctx.startedAt,
      },
      text,
    );
  } catch (cause) {
    throw new EnvironmentError('OUT_DIR_UNWRITABLE', `cannot write to the report folder ${outDir}`, {
      cause,
    });
  }
  log(`run ${runId}: ${scenario.metadata.name} (seed ${seed}, driver ${driverName}) -> ${outDir}`);

  let historySink: GuardedSink | undefined;
  let stopJournalingStackEvents: (() => void) | undefined;
  const tasks: Task<RunContext>[] = [
    {
      title: 'history',
      // Every engine: the steady-state probe (always the embedded engine) sends real payments.
      setup: async (c) => {
        const writer = new HistoryWriter(
          join(c.outDir, historyFileName('embedded', options.history ?? 'gzip')),
        );
        c.historyFiles.push(writer.path);
        historySink = new GuardedSink(writer);
        c.history = historySink;
        await Promise.resolve();
      },
      teardown: async () => {
        await historySink?.close();
      },
    },
    {
      title: 'provision',
      setup: async (c, s) => {
        enterPhase(c, 'provision');
        c.stack = await driver.up(c.topology, {
          runDir: join(c.outDir, 'stack'),
          ...(options.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: options.toxiproxyUrl }),
          signal: s,
          log: (m) => c.log(`  ${m}`),
        });
        // Stack events (promotions, router switches) go to events.ndjson as they happen, for a re-check.
        for (const event of c.stack.events()) journalEvent(c, event);
        stopJournalingStackEvents = c.stack.onEvent((event) => journalEvent(c, event));
      },
      teardown: async (c) => {
        stopJournalingStackEvents?.();
        if (c.stack === undefined) return;
        gatherEvents(c); // keep the stack's events before it goes
        await c.stack.down();
      },
    },
    {
      title: 'faults',
      setup: async (c) => {
        c.injector = new FaultInjector({
          toxiproxyUrl: c.stack!.toxiproxyUrl,
          topology: c.topology,
          processes: c.stack!,
          statePath: join(c.outDir, 'faults.json'),
          onEvent: (event) => {
            recordEvent(c, event);
            c.log(`  ${event.type} ${typeof event.data?.id === 'string' ? event.data.id : ''}`);
          },
        });
        await Promise.resolve();
      },
      teardown: async (c) => {
        // Safety net: a run that failed between apply and heal leaves nothing behind on the server.
        if (signal.aborted || c.injector === undefined) return;
        await c.injector.healAll({ sweep: true, ownedProxies: c.topology.links.map((l) => l.name) });
      },
    },
    {
      title: 'steady-state',
      setup: async (c, s) => {
        enterPhase(c, 'steady-state');
        const result = await reachSteadyState(c, s);
        if (s.aborted) throw new InterruptedError();
        if (result.reached) return;
        const reason = `steady state not reached within ${scenario.steadyState.timeout} ms (success rate ${result.successRate ?? 'n/a'} over the last ${scenario.steadyState.duration} ms, SLO ${scenario.steadyState.successRate})`;
        if (c.aborts.steadyState) c.abort = { condition: 'steady_state_not_reached', reason };
        else note(c, `${reason}; continuing (no \`steady_state_not_reached\` abort in the scenario)`);
      },
    },
    {
      title: 'load',
      setup: async (c, s) => {
        if (c.abort !== undefined) return;
        enterPhase(c, 'load');
        await runLoadWithFaults(c, s);
      },
    },
    {
      title: 'heal',
      setup: async (c, s) => {
        enterPhase(c, 'heal');
        await healStack(c, s);
      },
    },
    {
      title: 'settle',
      setup: async (c, s) => {
        enterPhase(c, 'settle');
        await settleLedgers(c, s);
      },
    },
    {
      title: 'collect',
      setup: async (c) => {
        enterPhase(c, 'collect');
        await historySink?.close();
        await collectArtifacts(c);
      },
    },
    {
      title: 'check',
      setup: async (c) => {
        enterPhase(c, 'check');
        c.verdict = await checkRun(c);
      },
    },
    {
      title: 'gate',
      setup: async (c) => {
        c.gates = evaluateGates(c.scenario.gates, c.verdict!.metrics, c.verdict!.notMeasured);
        closePhases(c);
        await Promise.resolve();
      },
    },
  ];

  const result = await runTasks(tasks, ctx, { signal });
  closePhases(ctx);
  const interrupted = signal.aborted;
  for (const error of result.teardownErrors)
    note(ctx, `teardown: ${error instanceof Error ? error.message : String(error)}`);

  // Partial results: whatever was streamed so far still gets checked.
  if (ctx.verdict === undefined && ctx.historyFiles.length > 0) {
    await historySink?.close().catch(() => undefined);
    ctx.events ??= gatherEvents(ctx);
    ctx.verdict = await checkRun(ctx).catch((error: unknown) => {
      note(
        ctx,
        `could not check the partial history: ${error instanceof Error ? error.message : String(error)}`,
      );
      return undefined;
    });
    if (ctx.verdict)
      ctx.gates = evaluateGates(ctx.scenario.gates, ctx.verdict.metrics, ctx.verdict.notMeasured);
  }
  // No check at all (no history to read): every gate is listed, and fails as not measured.
  ctx.gates ??= evaluateGates(
    ctx.scenario.gates,
    {},
    nothingMeasured('the run stopped before any check ran'),
  );
  if (ctx.events === undefined) gatherEvents(ctx);
  await writeEvents(ctx).catch(() => undefined);

  const authority = ctx.finalPrimary ?? ctx.topology.primary;
  const authorityLedger = ctx.ledgers?.[authority];
  const outcome = decideOutcome({
    interrupted,
    ...(interrupted || result.error === undefined ? {} : { error: result.error }),
    ...(ctx.abort ? { abort: ctx.abort } : {}),
    ...(ctx.verdict ? { verdict: ctx.verdict } : {}),
    ...(ctx.gates ? { gates: ctx.gates } : {}),
    ...(authorityLedger === undefined || 'path' in authorityLedger
      ? {}
      : {
          missingAuthority: `the ledger of the final primary ${authority} could not be collected: ${authorityLedger.error}`,
        }),
  });

  const files: Record<string, string> = {
    report: join(outDir, 'report.json'),
    junit: join(outDir, 'junit.xml'),
    summary: join(outDir, 'summary.md'),
    html: join(outDir, 'report.html'),
    events: join(outDir, 'events.ndjson'),
  };
  if (ctx.stack !== undefined) files.stackLogs = ctx.stack.logsDir;
  for (const file of ctx.historyFiles) files[historyArtifactName(file)] = file;
  if (ctx.loadEngine === 'k6' && existsSync(join(outDir, 'k6.log'))) files.k6Log = join(outDir, 'k6.log');
  for (const [region, ledger] of Object.entries(ctx.ledgers ?? {}))
    if ('path' in ledger) files[`ledger:${region}`] = ledger.path;
  const report = buildRunReport(ctx, outcome, files);
  const outcomes = await writeReports([jsonReporter, ...(options.reporters ?? [])], report, outDir);
  for (const o of outcomes) if (o.error !== undefined) log(`reporter ${o.reporter} failed: ${o.error}`);
  return {
    runId,
    status: outcome.status,
    exitCode: outcome.exitCode,
    ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
    outDir,
    report,
    reporters: outcomes,
  };
}

export function topologyOf(scenario: Scenario, runId: string): Topology {
  return planTopologyOf(scenario.topology, scenario.load.accounts, runId);
}

/**
 * The history sink the engines write to. After Ctrl-C the task runner tears down while the engine may
 * still be settling its last requests; their attempts are dropped instead of written to a closed file.
 */
class GuardedSink implements AttemptSink {
  private closing: Promise<void> | undefined;
  constructor(private readonly writer: HistoryWriter) {}
  write(attempt: Parameters<AttemptSink['write']>[0]): void {
    if (this.closing === undefined) this.writer.write(attempt);
  }
  dropped(intendedMs: number, target: string): void {
    if (this.closing === undefined) this.writer.dropped(intendedMs, target);
  }
  close(): Promise<void> {
    this.closing ??= this.writer.close();
    return this.closing;
  }
}

/**
 * `runDrill()`: the drill pipeline. Stack up -> background payment load -> warm-up -> preconditions ->
 * steps -> expected outcome -> rollback (always) -> settle -> stop load -> ledgers -> checkers ->
 * RTO/RPO targets -> reports -> teardown (always). Interrupting (signal) still rolls back and tears
 * down, then resolves with exit code 130.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import type { StartedStack } from '../../drivers/driver.js';
import { newRunId, randomSeed } from '../topology/run-id.js';
import { DEFAULT_DRIVER, parseDriverName, resolveDriver } from '../../drivers/registry.js';
import { checkRun } from '../checks/accumulator.js';
import { clientCausedStatuses } from '../checks/expectations.js';
import { readLedgerExport } from '../checks/ledger-reader.js';
import type { ExportLine } from '../contract/ledger-export.js';
import type { Verdict } from '../checks/verdict.js';
import { InputError, InterruptedError } from '../contract/errors.js';
import { IETF_STATUSES } from '../contract/stack-http.js';
import { FaultInjector } from '../faults/injector.js';
import { faultsPath } from '../faults/store.js';
import type { Attempt } from '../history/attempt.js';
import { LoadEngine, type LoadSummary } from '../load/engine.js';
import { HistoryWriter } from '../history/writer.js';
import type { HistoryFormat } from '../history/writer.js';
import { writeReports, type ReporterOutcome } from '../run/reporter.js';
import { REPORT_SCHEMA_VERSION, type DrillStepRecord, type RunReport } from '../run/run-report.js';
import { evaluateGates } from '../run/gates.js';
import { nothingMeasured } from '../checks/not-measured.js';
import { waitForConvergence } from '../run/settle.js';
import { loadSchema } from '../load/spec.js';
import type { StackEvent } from '../contract/events.js';
import type { Topology } from '../contract/topology.js';
import { planTopologyOf } from '../scenario/topology-of.js';
import { VERSION } from '../version.js';
import { reportRenderers } from '../report/renderers.js';
import { decideOutcome } from '../run/outcome.js';
import { jsonReporter } from '../run/json-reporter.js';
import { historyFileName } from '../run/run-manifest.js';
import { evaluate, runSection, type DrillContext } from './executor.js';
import { LiveSuccess } from './live-success.js';
import { loadRunbook } from './parse-runbook.js';
import { allSteps, type Runbook, type Step } from './runbook.js';

/** How long the regions may take to converge once load stops (a scenario's default settle.timeout). */
const CONVERGENCE_TIMEOUT_MS = 60_000;

export interface DrillOptions {
  runbookPath: string;
  /** Confirmations are skipped (recorded as skipped-by-auto). */
  auto?: boolean;
  driver?: string;
  /** Report directory; default `reports/<run-id>/`. */
  out?: string;
  seed?: number;
  /** Asks a person at `confirm` steps (the CLI passes a readline prompt on the TTY). */
  confirm?: (prompt: string) => Promise<boolean>;
  signal?: AbortSignal;
  /** Progress lines for people. */
  log?: (line: string) => void;
  /** $GITHUB_STEP_SUMMARY: the Markdown summary is appended there too. */
  stepSummaryPath?: string;
  /** How the history is stored: `gzip` (history.ndjson.gz, default) or `plain` (history.ndjson). */
  history?: HistoryFormat;
}

export interface DrillResult {
  exitCode: number;
  report: RunReport;
  outDir: string;
  reporters: ReporterOutcome[];
}

async function startStack(
  driverName: string,
  topology: Topology,
  signal: AbortSignal | undefined,
  log: (l: string) => void,
): Promise<StartedStack> {
  const driver = await resolveDriver(driverName);
  return driver.up(topology, { runDir: driver.defaultRunDir(topology.runId), signal, log });
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done, fail) => {
    if (signal?.aborted) return fail(new InterruptedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      done();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      fail(new InterruptedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function topologyOf(runbook: Runbook, runId: string): Topology {
  return planTopologyOf(runbook.meta.stack, { ...runbook.meta.load.accounts, currency: 'USD' }, runId);
}

async function readLedgers(
  files: Record<string, { path: string } | { error: string }>,
): Promise<Record<string, ExportLine[]>> {
  const ledgers: Record<string, ExportLine[]> = {};
  for (const [region, file] of Object.entries(files)) {
    if (!('path' in file)) continue;
    const lines: ExportLine[] = [];
    for await (const line of readLedgerExport(file.path)) lines.push(line);
    ledgers[region] = lines;
  }
  return ledgers;
}

/** Validate what can be validated before anything starts (exit 2 early). */
export async function prepareDrill(options: DrillOptions): Promise<Runbook> {
  const runbook = await loadRunbook(options.runbookPath);
  parseDriverName(options.driver ?? DEFAULT_DRIVER);
  const confirms = allSteps(runbook).filter((s) => s.kind === 'confirm');
  if (confirms.length > 0 && !options.auto && options.confirm === undefined)
    throw new InputError(
      'CONFIRM_NEEDS_TTY',
      `${options.runbookPath} has ${confirms.length} manual confirmation step(s) but there is no terminal to ask on`,
      {
        details: [
          'Run it from a terminal, or pass --auto to skip confirmations (recorded as skipped-by-auto in the report).',
        ],
      },
    );
  return runbook;
}

export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const log = options.log ?? (() => undefined);
  const runbook = await prepareDrill(options);
  const { meta } = runbook;
  const runId = newRunId(`drill-${meta.name}`);
  const outDir = resolve(options.out ?? join('reports', runId));
  await mkdir(outDir, { recursive: true });
  const seed = options.seed ?? randomSeed();
  const topology = topologyOf(runbook, runId);
  const startedAt = Date.now();
  const steps: DrillStepRecord[] = [];
  const ownEvents: StackEvent[] = [];
  const attempts: Attempt[] = [];
  const clientCaused = clientCausedStatuses(IETF_STATUSES);
  const live = new LiveSuccess(clientCaused);
  let interrupted = false;
  let reason: string | undefined;
  let verdict: Verdict | null = null;

  log(
    `drill ${meta.name}: starting the stack (${topology.regions.join(', ')}, primary ${topology.primary}, ${topology.replication})`,
  );
  const stack = await startStack(options.driver ?? DEFAULT_DRIVER, topology, options.signal, log);
  const load = loadSchema.parse({
    rate: meta.load.rate,
    duration: '1h',
    timeout: meta.load.timeout,
    accounts: { ...meta.load.accounts, currency: 'USD' },
  });
  const stopLoad = new AbortController();
  let loadDone: Promise<LoadSummary | undefined> = Promise.resolve(undefined);
  let dropped: number | null = null;
  let history: HistoryWriter | undefined;
  try {
    const injector = new FaultInjector({
      toxiproxyUrl: stack.toxiproxyUrl,
      topology,
      processes: stack,
      statePath: faultsPath(stack.runDir),
      onEvent: (e) => ownEvents.push(e),
    });
    history = new HistoryWriter(join(outDir, historyFileName('embedded', options.history ?? 'gzip')));
    const engine = new LoadEngine({
      load,
      targets: {
        router: stack.routerUrl,
        regions: Object.fromEntries(Object.entries(stack.regions).map(([r, e]) => [r, e.apiUrl])),
      },
      seed,
      keyPrefix: runId,
      sink: history,
      onAttempt: (a) => {
        attempts.push(a);
        live.add(a);
      },
      signal: stopLoad.signal,
    });
    loadDone = engine.run();
    log(`background load ${meta.load.rate}/s; warming up for ${meta.checks.warmup} ms`);

    const ctx: DrillContext = {
      stack,
      faults: {
        apply: (fault, o) => injector.apply(fault, o),
        revert: (id) => injector.revert(id),
        healAll: () => injector.healAll(),
      },
      successRate: (span) => live.rate(Date.now(), span),
      verdict: () => verdict,
      initialPrimary: topology.primary,
      auto: options.auto === true,
      ...(options.confirm ? { confirm: options.confirm } : {}),
      onEvent: (e) => ownEvents.push(e),
      log,
      signal: options.signal,
    };
    const onRecord = (r: DrillStepRecord) => {
      steps.push(r);
      log(
        `  ${r.status === 'passed' ? 'ok  ' : r.status === 'failed' ? 'FAIL' : 'skip'} #${r.index} ${r.title} (${(r.durationMs / 1000).toFixed(2)} s${r.targetMs !== undefined ? ` / target ${(r.targetMs / 1000).toFixed(2)} s` : ''})${r.detail ? ` — ${r.detail}` : ''}`,
      );
    };
    const deferred = runbook.expected.filter(
      (s) => s.kind === 'check' && s.condition.kind === 'verdict-clean',
    );
    const expectedNow = runbook.expected.filter((s) => !deferred.includes(s));
    let index = 1;
    try {
      await delay(meta.checks.warmup, options.signal);
      ctx.initialPrimary = (await stack.status()).primary;
      let blocked = false;
      for (const [name, section] of [
        ['preconditions', runbook.preconditions],
        ['steps', runbook.steps],
        ['expected outcome', expectedNow],
      ] as const) {
        log(`${name}:`);
        const result = blocked
          ? skipAll(section, index, onRecord)
          : await runSection(section, ctx, { firstIndex: index, onRecord });
        index += section.length;
        if (result.stopped) blocked = true;
      }
      if (blocked) reason = 'a step failed; later steps were skipped';
    } catch (error) {
      if (!(error instanceof InterruptedError)) throw error;
      interrupted = true;
      reason = 'interrupted (Ctrl-C): rolled back and torn down';
      log('interrupted: rolling back');
    } finally {
      // Rollback always runs, and is not interruptible: the stack must be left healed.
      log('rollback:');
      const rollbackCtx = { ...ctx, signal: undefined };
      await runSection(runbook.rollback, rollbackCtx, {
        firstIndex: index + deferred.length,
        keepGoing: true,
        onRecord,
      });
      await injector.healAll();
    }
    if (!interrupted) {
      log(`settling for ${meta.checks.settle} ms`);
      await delay(meta.checks.settle, options.signal).catch((error: unknown) => {
        if (!(error instanceof InterruptedError)) throw error;
        interrupted = true;
        reason = 'interrupted (Ctrl-C) while settling: rolled back and torn down';
      });
    }
    stopLoad.abort();
    dropped = (await loadDone)?.dropped ?? null;
    await history.close();

    if (!interrupted) {
      // Payments the client gave up on at the stop may still be committing: exports taken meanwhile
      // would differ by them (a sync commit is visible on the standby before the primary shows it).
      log('waiting for the regions to converge');
      if (!(await waitForConvergence(stack, CONVERGENCE_TIMEOUT_MS, options.signal)))
        log(`note: the regions had not converged within ${CONVERGENCE_TIMEOUT_MS} ms`);
      const final = await stack.status();
      log(`collecting ledgers (final primary ${final.primary}, epoch ${final.epoch})`);
      const files = await stack.collectLedgers(join(outDir, 'ledgers'));
      const events = [...stack.events(), ...ownEvents].sort((a, b) => a.time - b.time);
      verdict = checkRun({
        expectations: {
          accounts: { ...meta.load.accounts, currency: 'USD' },
          authoritativeRegion: final.primary,
          recoveryHoldMs: meta.checks.recoveryHold,
          sloSuccessRate: meta.checks.successRate,
          steadyStateMs: meta.checks.warmup,
        },
        attempts,
        ledgers: await readLedgers(files),
        events,
        ...(dropped === null ? {} : { dropped }),
        missingLedgers: Object.fromEntries(
          Object.entries(files).flatMap(([region, file]) => ('error' in file ? [[region, file.error]] : [])),
        ),
      });
      for (const [i, step] of deferred.entries()) {
        const t = Date.now();
        const result = await evaluate(
          step.kind === 'check' ? step.condition : { kind: 'verdict-clean' },
          ctx,
        );
        onRecord({
          index: index + i,
          title: step.title,
          kind: step.kind,
          startedAt: t,
          durationMs: 0,
          status: result.held ? 'passed' : 'failed',
          detail: result.held ? result.seen : `expected, but ${result.seen}`,
        });
      }
    }
  } catch (error) {
    stopLoad.abort();
    await loadDone.catch(() => undefined);
    await history?.close().catch(() => undefined);
    await stack.down();
    throw error;
  }
  await stack.down();
  log('stack torn down');

  steps.sort((a, b) => a.index - b.index);
  const metrics = verdict?.metrics ?? {};
  const gates = evaluateGates(
    [`mttr_s <= ${meta.targets.rto_s}`, `rpo_s <= ${meta.targets.rpo_s}`],
    metrics,
    verdict?.notMeasured ?? nothingMeasured('the drill stopped before any check ran'),
  );
  const outcome = decideOutcome({ interrupted, ...(verdict ? { verdict } : {}), gates, steps });
  const { status, exitCode } = outcome;
  if (status !== 'passed' && reason === undefined) reason = outcome.reason;
  const endedAt = Date.now();
  const ok = attempts.filter((a) => a.outcome === 'ok').length;
  const fail = attempts.filter((a) => a.outcome === 'fail').length;
  const report: RunReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    kind: 'drill',
    run: {
      id: runId,
      scenario: {
        name: meta.name,
        file: runbook.file,
        sha256: runbook.sha256,
        ...(meta.description ? { description: meta.description } : {}),
      },
      seed,
      driver: options.driver ?? DEFAULT_DRIVER,
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      durationMs: endedAt - startedAt,
      status,
      exitCode,
      ...(reason ? { reason } : {}),
      versions: { chaosbank: VERSION, node: process.version },
      host: { hostname: os.hostname(), platform: os.platform(), arch: os.arch(), cpus: os.cpus().length },
    },
    topology: {
      regions: topology.regions,
      primary: topology.primary,
      replication: topology.replication,
      bugs: topology.stack.bugs,
    },
    load: {
      plannedRate: meta.load.rate,
      achievedRate: null,
      attempts: attempts.length,
      ok,
      fail,
      info: attempts.length - ok - fail,
      dropped: verdict?.metrics.dropped ?? null,
    },
    phases: [],
    faults: faultRecords(ownEvents),
    events: [...stack.events(), ...ownEvents].sort((a, b) => a.time - b.time),
    verdict,
    gates,
    artifacts: {
      history: historyFileName('embedded', options.history ?? 'gzip'),
      summary: 'summary.md',
      html: 'report.html',
      junit: 'junit.xml',
    },
    steps,
  };
  const reporters = await writeReports(
    [
      jsonReporter,
      ...reportRenderers(options.stepSummaryPath ? { stepSummaryPath: options.stepSummaryPath } : {}),
    ],
    report,
    outDir,
  );
  return { exitCode, report, outDir, reporters };
}

function skipAll(
  steps: readonly Step[],
  firstIndex: number,
  onRecord: (r: DrillStepRecord) => void,
): { stopped: boolean } {
  for (const [i, step] of steps.entries())
    onRecord({
      index: firstIndex + i,
      title: step.title,
      kind: step.kind,
      startedAt: Date.now(),
      durationMs: 0,
      ...(step.withinMs !== undefined ? { targetMs: step.withinMs } : {}),
      status: 'skipped',
      detail: 'not run: an earlier step failed',
    });
  return { stopped: true };
}

function faultRecords(events: StackEvent[]): RunReport['faults'] {
  const records: RunReport['faults'] = [];
  for (const e of events) {
    const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    const id = text(e.data?.id) ?? text(e.data?.kind) ?? e.component ?? 'fault';
    if (e.type === 'fault.applied')
      records.push({
        id,
        kind: text(e.data?.kind) ?? 'fault',
        target: {
          ...(e.region ? { region: e.region } : {}),
          ...(e.component ? { component: e.component } : {}),
          ...(typeof e.data?.target === 'string' ? { target: e.data.target } : {}),
        },
        appliedAt: e.time,
        revertedAt: null,
      });
    else if (e.type === 'fault.reverted') {
      const open =
        records.find((r) => r.id === id && r.revertedAt === null) ??
        records.find((r) => r.revertedAt === null && r.target.component === e.component);
      if (open) open.revertedAt = e.time;
    }
  }
  return records;
}

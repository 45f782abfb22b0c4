/**
 * Re-check a run that died before writing its report (`kill -9`, OOM, a lost CI runner): the check
 * and gate stages of the pipeline, run again over what the run folder holds — run.json and
 * scenario.yaml (written first), history.ndjson.gz (or plain history.ndjson; what was flushed before
 * the run died), events.ndjson (appended as events happened) and
 * whatever ledger exports were collected. What is missing is named, the metrics of a checker that
 * could not run are not measured, and the run's status is `incomplete`: it never passes.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readLedgerExport } from '../checks/index.js';
import type { StackEvent } from '../contract/events.js';
import { ExitCode, InputError } from '../contract/errors.js';
import { parseScenarioOrThrow } from '../scenario/load.js';
import { planAborts } from './abort-conditions.js';
import { buildRunReport } from './build-report.js';
import { checkRun } from './check.js';
import { lastPromoted } from './collect.js';
import type { RunContext } from './context.js';
import { evaluateGates } from './gates.js';
import type { Outcome } from './outcome.js';
import {
  EVENTS_FILE,
  HISTORY_FILES,
  historyArtifactName,
  MANIFEST_FILE,
  readEvents,
  readRunManifest,
  SCENARIO_COPY_FILE,
} from './run-manifest.js';
import type { PhaseRecord, RunReport } from './run-report.js';
import { topologyOf } from './run-scenario.js';

/** True when `dir` is a run folder a re-check can read (it has run.json). */
export function canRecheck(dir: string): boolean {
  return existsSync(join(dir, MANIFEST_FILE));
}

export async function recheckRun(outDir: string): Promise<RunReport> {
  const manifest = await readRunManifest(outDir);
  if (manifest === undefined)
    throw new InputError(
      'REPORT_NOT_FOUND',
      `${outDir} holds neither report.json nor a readable ${MANIFEST_FILE}`,
      {
        details: ['a run folder is written by `chaosbank run` (default reports/<run-id>/)'],
      },
    );
  const scenarioPath = join(outDir, SCENARIO_COPY_FILE);
  const text = await readFile(scenarioPath, 'utf8').catch((cause: unknown) => {
    throw new InputError(
      'RUN_FOLDER_INCOMPLETE',
      `${outDir} has ${MANIFEST_FILE} but no ${SCENARIO_COPY_FILE}`,
      {
        cause,
        details: ['the run died before it started; there is nothing to re-check'],
      },
    );
  });
  if (createHash('sha256').update(text).digest('hex') !== manifest.scenarioSha256)
    throw new InputError(
      'RUN_FOLDER_INVALID',
      `${scenarioPath} is not the scenario the run started with (its sha256 differs from ${MANIFEST_FILE})`,
    );
  const scenario = parseScenarioOrThrow(text, scenarioPath);
  const topology = topologyOf(scenario, manifest.runId);
  const events = await readEvents(outDir);
  const phases = phasesOf(events);
  const diedDuring = phases.at(-1)?.name ?? 'starting';
  const missing: string[] = [];
  const notes: string[] = [];

  const historyFiles = HISTORY_FILES.map((name) => join(outDir, name)).filter((file) => existsSync(file));
  if (historyFiles.length === 0) missing.push(`the history (${HISTORY_FILES[0]}): no attempt was recorded`);
  if (events.length === 0) missing.push(`the events (${EVENTS_FILE}): no fault or failover is known`);

  const ledgers: NonNullable<RunContext['ledgers']> = {};
  for (const region of topology.regions) {
    const file = join(outDir, 'ledgers', `${region}.ndjson`);
    const problem = await ledgerProblem(file);
    if (problem === undefined) ledgers[region] = { path: file };
    else {
      ledgers[region] = { error: problem };
      missing.push(`the ledger export of ${region} (${problem})`);
    }
  }

  const ctx: RunContext = {
    options: { scenarioPath: manifest.scenarioFile },
    runId: manifest.runId,
    scenario,
    scenarioFile: manifest.scenarioFile,
    scenarioSha256: manifest.scenarioSha256,
    seed: manifest.seed,
    outDir,
    driverName: manifest.driver,
    loadEngine: manifest.loadEngine,
    topology,
    aborts: planAborts(scenario.aborts),
    startedAt: manifest.startedAt,
    log: () => undefined,
    historyFiles,
    runEvents: [],
    events,
    phases,
    engineSummaries: [],
    notes,
    ledgers,
    finalPrimary: lastPromoted(events) ?? topology.primary,
  };
  const verdict = await checkRun(ctx, (file) =>
    notes.push(`${basename(file)}: its last line was cut short when the run died and was left out`),
  );
  const gates = evaluateGates(scenario.gates, verdict.metrics, verdict.notMeasured);
  ctx.verdict = verdict;
  ctx.gates = gates;

  const lastSeen = await lastSignOfLife(historyFiles, events, manifest.startedAt);
  const failed = gates.filter((g) => !g.passed).length;
  const outcome: Outcome = {
    status: 'incomplete',
    exitCode: ExitCode.gateFailed,
    reason:
      `the run died during ${diedDuring} (${((lastSeen - manifest.startedAt) / 1000).toFixed(1)} s in) before writing its report; ` +
      `re-checked from what it left${missing.length > 0 ? `, missing ${missing.length} part(s): ${missing.join('; ')}` : ''}` +
      (failed > 0 ? `; ${failed} gate(s) failed or not measured` : ''),
  };

  const files: Record<string, string> = {
    report: join(outDir, 'report.json'),
    junit: join(outDir, 'junit.xml'),
    summary: join(outDir, 'summary.md'),
    html: join(outDir, 'report.html'),
    events: join(outDir, EVENTS_FILE),
    stackLogs: join(outDir, 'stack', 'logs'),
  };
  for (const file of historyFiles) files[historyArtifactName(file)] = file;
  for (const [region, ledger] of Object.entries(ledgers))
    if ('path' in ledger) files[`ledger:${region}`] = ledger.path;
  notes.push(
    'load summary not measured: the engine keeps it in memory and it died with the run (attempts and outcomes per window are in the verdict)',
  );
  const report = buildRunReport(ctx, outcome, files);
  report.load = null;
  report.run.endedAt = new Date(lastSeen).toISOString();
  report.run.durationMs = lastSeen - manifest.startedAt;
  report.incomplete = { diedDuring, recheckedAt: new Date().toISOString(), missing };
  return report;
}

/** Phases from the `phase` events: each ends where the next starts; the last one never ended. */
function phasesOf(events: readonly StackEvent[]): PhaseRecord[] {
  const phases: PhaseRecord[] = [];
  for (const event of events) {
    if (event.type !== 'phase' || typeof event.data?.name !== 'string') continue;
    const previous = phases.at(-1);
    if (previous) previous.end = event.time;
    phases.push({ name: event.data.name, start: event.time, end: null });
  }
  return phases;
}

/** Why a ledger export cannot be used, or undefined when it is complete (ends with its `end` line). */
async function ledgerProblem(file: string): Promise<string | undefined> {
  if (!existsSync(file)) return 'not collected: the run died before its collect phase';
  const reader = readLedgerExport(file);
  try {
    for await (const batch of reader.batches()) void batch;
  } catch (error) {
    return `unreadable: ${error instanceof Error ? error.message : String(error)}`;
  }
  return reader.complete ? undefined : 'cut short: no end line, the run died while collecting it';
}

/** When the run was last seen alive: its last event or its last history write. */
async function lastSignOfLife(
  historyFiles: readonly string[],
  events: readonly StackEvent[],
  startedAt: number,
): Promise<number> {
  let last = Math.max(startedAt, events.at(-1)?.time ?? 0);
  for (const file of historyFiles) last = Math.max(last, (await stat(file)).mtimeMs);
  return Math.round(last);
}

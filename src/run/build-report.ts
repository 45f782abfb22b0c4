/** The RunReport (report.json) from what the run's context holds, whatever stage the run reached. */
import { relative } from 'node:path';
import { REPORT_SCHEMA_VERSION, type FaultRecord, type LoadSummary, type RunReport } from './run-report.js';
import { faultAppliedAt, type StackEvent } from '../contract/events.js';
import { describeNetwork } from '../contract/network.js';
import type { RunContext } from './context.js';
import type { Outcome } from './outcome.js';
import { runHost, runVersions } from './environment.js';

export function buildRunReport(ctx: RunContext, outcome: Outcome, files: Record<string, string>): RunReport {
  const endedAt = Date.now();
  const events = ctx.events ?? [...ctx.runEvents].sort((a, b) => a.time - b.time);
  const { scenario, topology } = ctx;
  const report: RunReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    kind: 'run',
    run: {
      id: ctx.runId,
      scenario: {
        name: scenario.metadata.name,
        file: ctx.scenarioFile,
        sha256: ctx.scenarioSha256,
        ...(scenario.metadata.description === undefined
          ? {}
          : { description: scenario.metadata.description }),
      },
      seed: ctx.seed,
      driver: ctx.driverName,
      startedAt: new Date(ctx.startedAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      durationMs: endedAt - ctx.startedAt,
      status: outcome.status,
      exitCode: outcome.exitCode,
      ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
      versions: runVersions(),
      host: runHost(),
    },
    topology: {
      regions: topology.regions,
      primary: topology.primary,
      replication: topology.replication,
      bugs: topology.stack.bugs,
      network: describeNetwork(topology.network),
    },
    load: loadSummary(ctx),
    phases: ctx.phases,
    faults: faultRecords(events),
    events,
    verdict: ctx.verdict ?? null,
    gates: ctx.gates ?? [],
    artifacts: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, relative(ctx.outDir, v)])),
  };
  if (ctx.notes.length > 0) report.notes = [...ctx.notes];
  if (ctx.abort !== undefined) report.abort = ctx.abort;
  return report;
}

function loadSummary(ctx: RunContext): LoadSummary | null {
  const summaries = ctx.engineSummaries;
  const metrics = ctx.verdict?.metrics;
  if (summaries.length === 0 && metrics === undefined) return null;
  // With k6 the engine summaries hold only the steady-state probe: the load's own counts come from
  // the checked history, and what k6 alone knew (outcome split, achieved rate) is not measured.
  if (ctx.loadEngine === 'k6')
    return {
      plannedRate: ctx.scenario.load.rate ?? null,
      achievedRate: null,
      attempts: metrics?.attempts ?? null,
      ok: null,
      fail: null,
      info: null,
      dropped: droppedCount(ctx),
    };
  const main = summaries.length > 1 ? summaries.at(-1) : undefined;
  const sum = (pick: (s: (typeof summaries)[number]) => number): number =>
    summaries.reduce((n, s) => n + pick(s), 0);
  const { load } = ctx.scenario;
  return {
    plannedRate: load.rate ?? main?.targetRate ?? null,
    achievedRate: main?.achievedRate ?? summaries.at(-1)?.achievedRate ?? null,
    attempts: summaries.length > 0 ? sum((s) => s.requests) : (metrics?.attempts ?? 0),
    ok: sum((s) => s.outcomes.ok),
    fail: sum((s) => s.outcomes.fail),
    info: sum((s) => s.outcomes.info),
    dropped: droppedCount(ctx),
  };
}

/** The checked history's count when there is a verdict; else what the embedded engine counted, if it ran. */
function droppedCount(ctx: RunContext): number | null {
  if (ctx.verdict !== undefined) return ctx.verdict.metrics.dropped ?? null;
  if (ctx.loadEngine !== 'embedded' || ctx.engineSummaries.length === 0) return null;
  return ctx.engineSummaries.reduce((n, s) => n + s.dropped, 0);
}

export function faultRecords(events: StackEvent[]): FaultRecord[] {
  const records = new Map<string, FaultRecord>();
  for (const event of events) {
    const id = typeof event.data?.id === 'string' ? event.data.id : undefined;
    if (id === undefined) continue;
    if (event.type === 'fault.applied') {
      records.set(id, {
        id,
        kind: typeof event.data?.kind === 'string' ? event.data.kind : '',
        target: targetRecord(event.data?.target),
        scheduledAt: typeof event.data?.scheduledAt === 'number' ? event.data.scheduledAt : null,
        appliedAt: faultAppliedAt(event),
        revertedAt: null,
      });
    } else if (event.type === 'fault.reverted') {
      const record = records.get(id);
      if (record) record.revertedAt = event.time;
    }
  }
  return [...records.values()];
}

/** The injector describes a target as text (`region us-east`); the report keeps an object. */
function targetRecord(target: unknown): Record<string, unknown> {
  if (typeof target === 'string') return { target };
  if (typeof target === 'object' && target !== null) return target as Record<string, unknown>;
  return {};
}

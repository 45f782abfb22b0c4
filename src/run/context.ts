/**
 * What the pipeline's tasks share: the inputs of the run and what each stage produced so far. The
 * report is built from it at the end, whatever stage the run reached.
 */
import type { StartedStack } from '../../drivers/driver.js';
import type { Verdict } from '../checks/verdict.js';
import type { FaultInjector } from '../faults/injector.js';
import type { FaultTimeline } from '../faults/timeline.js';
import type { LoadSummary as EngineSummary } from '../load/engine.js';
import type { AttemptSink } from '../history/writer.js';
import type { K6Binary } from '../load/k6-runner.js';
import type { PhaseRecord } from './run-report.js';
import type { Scenario } from '../scenario/schema.js';
import type { StackEvent } from '../contract/events.js';
import type { Topology } from '../contract/topology.js';
import type { AbortPlan } from './abort-conditions.js';
import type { GateResult } from './gates.js';
import type { LoadEngineName, RunOptions } from './options.js';
import { appendEvent } from './run-manifest.js';

/** Why the run stopped early on a scenario abort condition. */
export interface RunAbort {
  condition: string;
  reason: string;
  evidence?: Record<string, unknown>;
}

export interface RunContext {
  readonly options: RunOptions;
  readonly runId: string;
  readonly scenario: Scenario;
  readonly scenarioFile: string;
  readonly scenarioSha256: string;
  readonly seed: number;
  readonly outDir: string;
  readonly driverName: string;
  readonly loadEngine: LoadEngineName;
  /** The k6 binary checked before the run (load engine k6 only). */
  readonly k6?: K6Binary;
  readonly topology: Topology;
  readonly aborts: AbortPlan;
  readonly startedAt: number;
  /** Phase lines for people (never parsed). */
  readonly log: (line: string) => void;

  stack?: StartedStack;
  injector?: FaultInjector;
  timeline?: FaultTimeline;
  /** Where the engines write attempts (history.ndjson, guarded against writes after close). */
  history?: AttemptSink;
  /** History files to check (the embedded engine's, k6's). */
  historyFiles: string[];
  /** Run-side events: phases and faults (stack events are read from the stack at collect). */
  runEvents: StackEvent[];
  /** Set once appending to events.ndjson failed (noted once; the run goes on). */
  eventJournalError?: string;
  /** Every event of the run, merged and sorted, once collected. */
  events?: StackEvent[];
  phases: PhaseRecord[];
  engineSummaries: EngineSummary[];
  abort?: RunAbort;
  /** Things that went wrong without stopping the run (heal timeout, no convergence...). */
  notes: string[];
  ledgers?: Record<string, { path: string } | { error: string }>;
  finalPrimary?: string;
  verdict?: Verdict;
  gates?: GateResult[];
}

/** Close the current phase and open the next one (also recorded as a `phase` event). */
export function enterPhase(ctx: RunContext, name: string): void {
  const now = Date.now();
  const current = ctx.phases.at(-1);
  if (current && current.end === null) current.end = now;
  ctx.phases.push({ name, start: now, end: null });
  recordEvent(ctx, { time: now, type: 'phase', data: { name } });
  ctx.log(`[${((now - ctx.startedAt) / 1000).toFixed(1)}s] ${name}`);
}

/** A run-side event (phase, fault): kept for the report and journaled at once for a re-check. */
export function recordEvent(ctx: RunContext, event: StackEvent): void {
  ctx.runEvents.push(event);
  journalEvent(ctx, event);
}

/** Append an event to `<out>/events.ndjson` now, so a run killed the next instant still has it. */
export function journalEvent(ctx: RunContext, event: StackEvent): void {
  if (ctx.eventJournalError !== undefined) return;
  try {
    appendEvent(ctx.outDir, event);
  } catch (error) {
    ctx.eventJournalError = error instanceof Error ? error.message : String(error);
    note(
      ctx,
      `could not append to events.ndjson (a killed run could not be re-checked with its events): ${ctx.eventJournalError}`,
    );
  }
}

export function closePhases(ctx: RunContext): void {
  const current = ctx.phases.at(-1);
  if (current && current.end === null) current.end = Date.now();
}

export function currentPhase(ctx: RunContext): string {
  return ctx.phases.at(-1)?.name ?? 'starting';
}

export function note(ctx: RunContext, text: string): void {
  ctx.notes.push(text);
  ctx.log(`note: ${text}`);
}

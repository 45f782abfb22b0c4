/**
 * Runs runbook steps against a stack, one at a time, timing each against its `within` target.
 * A step that fails (condition not met, action error, operator said no) stops its section: the state
 * the next steps assume is not there. A step that only missed its time target is failed but the
 * section goes on. Knows nothing of drivers: it sees the stack through DrillContext.
 */
import type { ProcessAction } from '../contract/process-action.js';
import type { StackStatus } from '../contract/stack-status.js';
import type { Verdict } from '../checks/verdict.js';
import { InterruptedError, isChaosbankError } from '../contract/errors.js';
import type { DrillStepRecord } from '../run/run-report.js';
import type { FaultSpec } from '../faults/spec.js';
import type { StackEvent } from '../contract/events.js';
import { compareNumbers, type Condition } from './conditions.js';
import type { Step } from './runbook.js';

export interface DrillContext {
  stack: {
    status(): Promise<StackStatus>;
    processAction(componentId: string, action: ProcessAction): Promise<void>;
  };
  faults: {
    apply(fault: FaultSpec, options: { id: string }): Promise<unknown>;
    revert(id: string): Promise<unknown>;
    healAll(): Promise<unknown>;
  };
  /** Live client-side success rate over the last `spanMs` (null: no attempt completed). */
  successRate(spanMs: number): number | null;
  /** The verdict, once the checkers have run (for `check: verdict-clean`). */
  verdict?: () => Verdict | null;
  /** The primary when the drill's steps began (for `primary-changed`). */
  initialPrimary: string;
  /** Asks a person; absent or `auto` -> confirmations are skipped-by-auto. */
  confirm?: (prompt: string) => Promise<boolean>;
  auto: boolean;
  /** Stack events the executor causes itself (process actions). */
  onEvent?: (event: StackEvent) => void;
  log?: (line: string) => void;
  signal?: AbortSignal;
  now?: () => number;
  /** How often a `wait` re-reads the stack, ms (default 200). */
  pollMs?: number;
}

const SUCCESS_SPAN_MS = 3000;

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new InterruptedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Whether a condition holds now, and what was seen (for the report). */
export async function evaluate(
  condition: Condition,
  ctx: DrillContext,
): Promise<{ held: boolean; seen: string }> {
  switch (condition.kind) {
    case 'success-rate': {
      const rate = ctx.successRate(SUCCESS_SPAN_MS);
      if (rate === null) return { held: false, seen: 'no attempt completed in the last 3 s' };
      return {
        held: compareNumbers(rate, condition.op, condition.value),
        seen: `success rate ${rate.toFixed(3)}`,
      };
    }
    case 'verdict-clean': {
      const verdict = ctx.verdict?.() ?? null;
      if (verdict === null) return { held: false, seen: 'no verdict yet' };
      const failed = verdict.checkers
        .filter((c) => !c.passed && c.name !== 'recovery')
        .map((c) => `${c.name}: ${c.summary}`);
      return {
        held: failed.length === 0,
        seen: failed.length === 0 ? 'every checker passed' : failed.join('; '),
      };
    }
    default:
      break;
  }
  const status = await ctx.stack.status();
  const roles = status.regions.map((r) => `${r.region}=${r.role}`).join(' ');
  // The primary is up and every other region is a standby that reports a replication position.
  const streaming = status.regions.every((r) =>
    r.region === status.primary ? r.role === 'primary' : r.role === 'standby' && r.lagBytes !== null,
  );
  switch (condition.kind) {
    case 'primary-changed':
      return {
        held: status.primary !== ctx.initialPrimary,
        seen: `primary ${status.primary} (epoch ${status.epoch})`,
      };
    case 'primary':
      return {
        held: (status.primary === condition.region) === (condition.op === '=='),
        seen: `primary ${status.primary} (epoch ${status.epoch})`,
      };
    case 'router-active':
      return {
        held: (status.routerActive === condition.region) === (condition.op === '=='),
        seen: `router active ${status.routerActive ?? 'none'}`,
      };
    case 'role': {
      const role = status.regions.find((r) => r.region === condition.region)?.role ?? 'down';
      return {
        held: (role === condition.role) === (condition.op === '=='),
        seen: `${condition.region} is ${role}`,
      };
    }
    case 'sync-standby': {
      const r = status.regions.find((s) => s.region === condition.region);
      const held = r?.role === 'standby' && r.synchronous === true;
      const seen = held
        ? `${condition.region} is a synchronous standby`
        : `${condition.region} is ${r?.role ?? 'down'}${r?.role === 'standby' ? ', not (yet) in the synchronous quorum' : ''}`;
      return { held, seen };
    }
    case 'epoch':
      return {
        held: compareNumbers(status.epoch, condition.op, condition.value),
        seen: `epoch ${status.epoch}`,
      };
    case 'replication-streaming':
      return { held: streaming, seen: roles };
    case 'stack-healthy': {
      const primaryOk = status.regions.some((r) => r.region === status.primary && r.role === 'primary');
      const held = primaryOk && streaming && status.routerActive !== null;
      return { held, seen: `primary ${status.primary}; ${roles}; router ${status.routerActive ?? 'none'}` };
    }
  }
}

/** Poll until the condition holds or the timeout passes; status read errors count as "not yet". */
async function waitUntil(
  condition: Condition,
  timeoutMs: number,
  ctx: DrillContext,
): Promise<{ held: boolean; seen: string }> {
  const now = ctx.now ?? Date.now;
  const deadline = now() + timeoutMs;
  let last = 'not evaluated';
  for (;;) {
    try {
      const result = await evaluate(condition, ctx);
      if (result.held) return result;
      last = result.seen;
    } catch (error) {
      if (error instanceof InterruptedError) throw error;
      last = `stack status unavailable: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (now() >= deadline) return { held: false, seen: last };
    await delay(Math.min(ctx.pollMs ?? 200, Math.max(1, deadline - now())), ctx.signal);
  }
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/** A step's record, and whether it failed outright (not only its time target). */
export interface StepResult {
  record: DrillStepRecord;
  broken: boolean;
}

/** Execute one step; never throws except InterruptedError. */
export async function executeStep(step: Step, index: number, ctx: DrillContext): Promise<StepResult> {
  const now = ctx.now ?? Date.now;
  const startedAt = now();
  const record = (status: DrillStepRecord['status'], detail: string): StepResult => {
    const durationMs = now() - startedAt;
    let finalStatus = status;
    let finalDetail = detail;
    if (status === 'passed' && step.withinMs !== undefined && durationMs > step.withinMs) {
      finalStatus = 'failed';
      finalDetail = `${detail}; took ${seconds(durationMs)}, target ${seconds(step.withinMs)}`;
    }
    return {
      record: {
        index,
        title: step.title,
        kind: step.kind,
        startedAt,
        durationMs,
        ...(step.withinMs !== undefined ? { targetMs: step.withinMs } : {}),
        status: finalStatus,
        detail: finalDetail,
      },
      broken: status === 'failed',
    };
  };
  if (ctx.signal?.aborted) throw new InterruptedError();
  try {
    switch (step.kind) {
      case 'fault':
        await ctx.faults.apply(step.fault, { id: step.id });
        return record('passed', `applied ${step.id}`);
      case 'heal':
        if (step.faultId === 'all') await ctx.faults.healAll();
        else await ctx.faults.revert(step.faultId);
        return record('passed', step.faultId === 'all' ? 'reverted every fault' : `reverted ${step.faultId}`);
      case 'process': {
        await ctx.stack.processAction(step.component, step.action);
        ctx.onEvent?.({
          time: now(),
          type: step.action === 'resume' ? 'fault.reverted' : 'fault.applied',
          component: step.component,
          data: { kind: `process-${step.action}`, source: 'drill' },
        });
        return record('passed', `${step.action} ${step.component}`);
      }
      case 'wait': {
        if (step.condition === null) {
          await delay(step.durationMs ?? 0, ctx.signal);
          return record('passed', `waited ${seconds(step.durationMs ?? 0)}`);
        }
        const result = await waitUntil(step.condition, step.timeoutMs, ctx);
        return result.held
          ? record('passed', result.seen)
          : record('failed', `not met within the ${seconds(step.timeoutMs)} timeout: ${result.seen}`);
      }
      case 'check': {
        const result = await evaluate(step.condition, ctx);
        return record(
          result.held ? 'passed' : 'failed',
          result.held ? result.seen : `expected, but ${result.seen}`,
        );
      }
      case 'confirm': {
        if (ctx.auto || ctx.confirm === undefined) return record('skipped', 'skipped-by-auto');
        const yes = await ctx.confirm(step.prompt);
        return record(
          yes ? 'passed' : 'failed',
          yes ? 'confirmed by the operator' : 'the operator answered no',
        );
      }
    }
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    const message = isChaosbankError(error)
      ? `[${error.code}] ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
    return record('failed', message);
  }
}

export interface SectionResult {
  records: DrillStepRecord[];
  /** A step failed outright (not only its time target): the rest of the section was skipped. */
  stopped: boolean;
}

/**
 * Run a section in order. `keepGoing` (rollback) runs every step whatever happens before it.
 * Indices continue from `firstIndex` so that records number the whole drill.
 */
export async function runSection(
  steps: readonly Step[],
  ctx: DrillContext,
  options: { firstIndex: number; keepGoing?: boolean; onRecord?: (record: DrillStepRecord) => void },
): Promise<SectionResult> {
  const records: DrillStepRecord[] = [];
  let stopped = false;
  for (const [i, step] of steps.entries()) {
    const index = options.firstIndex + i;
    if (stopped) {
      const skipped: DrillStepRecord = {
        index,
        title: step.title,
        kind: step.kind,
        startedAt: (ctx.now ?? Date.now)(),
        durationMs: 0,
        ...(step.withinMs !== undefined ? { targetMs: step.withinMs } : {}),
        status: 'skipped',
        detail: 'not run: an earlier step failed',
      };
      records.push(skipped);
      options.onRecord?.(skipped);
      continue;
    }
    const { record, broken } = await executeStep(step, index, ctx);
    records.push(record);
    options.onRecord?.(record);
    if (broken && !options.keepGoing) stopped = true;
  }
  return { records, stopped };
}

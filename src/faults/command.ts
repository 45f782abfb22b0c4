/**
 * The library behind `chaosbank fault` and `chaosbank heal`: apply one fault (and hold it for a
 * duration when asked), or heal everything, against a resolved FaultTarget.
 */
import { appendFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { InterruptedError } from '../contract/errors.js';
import type { FaultSpec } from './spec.js';
import type { StackEvent } from '../contract/events.js';
import { FaultInjector, type AppliedFault, type HealResult } from './injector.js';
import { disabledProxies, toxicsOf } from './plan.js';
import type { FaultTarget } from './target.js';

function injectorFor(target: FaultTarget, events: StackEvent[]): FaultInjector {
  return new FaultInjector({
    toxiproxyUrl: target.toxiproxyUrl,
    topology: target.topology,
    statePath: target.statePath,
    ...(target.processes ? { processes: target.processes } : {}),
    onEvent: (event) => events.push(event),
  });
}

async function record(target: FaultTarget, events: StackEvent[]): Promise<void> {
  if (target.eventsPath === undefined || events.length === 0) return;
  await appendFile(target.eventsPath, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  events.length = 0;
}

export interface FaultCommandResult {
  fault: AppliedFault;
  /** True when the command held the fault for --duration (or until interrupted) and reverted it. */
  reverted: boolean;
}

/**
 * Apply `fault`. With `durationMs`, wait that long (the caller stays attached), then revert; an abort
 * (Ctrl-C) reverts at once and rejects with InterruptedError.
 */
export async function runFaultCommand(
  target: FaultTarget,
  fault: FaultSpec,
  options: {
    id?: string;
    durationMs?: number;
    signal?: AbortSignal;
    onApplied?: (fault: AppliedFault) => void;
  },
): Promise<FaultCommandResult> {
  const events: StackEvent[] = [];
  const injector = injectorFor(target, events);
  const id = options.id ?? `${fault.kind}-${Date.now().toString(36)}`;
  const applied = await injector.apply(fault, { id });
  await record(target, events);
  options.onApplied?.(applied);
  if (options.durationMs === undefined) return { fault: applied, reverted: false };

  let interrupted = false;
  try {
    await sleep(options.durationMs, undefined, options.signal ? { signal: options.signal } : {});
  } catch (error) {
    if (!options.signal?.aborted) throw error;
    interrupted = true;
  }
  await injector.revert(id);
  await record(target, events);
  if (interrupted) throw new InterruptedError(`interrupted: fault ${id} reverted`);
  return { fault: applied, reverted: true };
}

/** Revert one fault by id, or everything chaosbank applied plus any leftover `cb-*` toxic. */
export async function runHealCommand(target: FaultTarget, options: { id?: string }): Promise<HealResult> {
  const events: StackEvent[] = [];
  const injector = injectorFor(target, events);
  try {
    if (options.id !== undefined) {
      const reverted = await injector.revert(options.id);
      return { reverted: reverted ? [reverted.id] : [], removedToxics: [], enabledProxies: [] };
    }
    return await injector.healAll({ sweep: true, ownedProxies: target.topology.links.map((l) => l.name) });
  } finally {
    await record(target, events);
  }
}

/** One line per effect, for people. */
export function describeFault(fault: AppliedFault): string[] {
  const lines = [`${fault.id}: ${fault.kind} on ${fault.target}`];
  const disabled = disabledProxies(fault);
  if (disabled.length > 0) lines.push(`  disabled ${disabled.length} proxies: ${disabled.join(', ')}`);
  const toxics = toxicsOf(fault);
  if (toxics.length > 0)
    lines.push(`  added ${toxics.length} toxics: ${toxics.map((t) => `${t.proxy} ${t.name}`).join(', ')}`);
  for (const op of fault.operations)
    if (op.type === 'process')
      lines.push(`  ${op.action} ${op.component}${op.revert ? ` (revert: ${op.revert})` : ''}`);
  return lines;
}

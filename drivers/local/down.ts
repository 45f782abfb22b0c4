/**
 * `chaosbank down` as a library: stop registered stacks — orderly through the owner's control API when
 * it is alive, then, whatever happened, from the state file (pids with start times, postmaster.pid of
 * every data dir, temp dirs) — and reap what crashed runs left behind. Idempotent. The one teardown
 * path from outside the owner: `chaosbank down`, the reaping `up`/`run`, and the watchdog (watchdog.ts).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { requestDown } from './control.js';
import { isAlive } from './proc.js';
import { listRegistered, unregisterStack, type RegistryEntry } from './registry.js';
import { readState, statePath, writeJsonAtomic } from './state.js';
import type { DownResult, TeardownReport } from '../driver.js';
import { teardownState } from './teardown.js';

export async function downEntry(
  entry: RegistryEntry,
  options: { ownerGraceMs?: number } = {},
): Promise<DownResult> {
  const state = readState(entry.runDir);
  const empty: TeardownReport = { stopped: [], killed: [], removedDirs: [], problems: [] };
  if (!state) {
    unregisterStack(entry.runId);
    return { runId: entry.runId, runDir: entry.runDir, outcome: 'gone', report: empty };
  }
  const ownerAlive = isAlive(state.owner);
  if (ownerAlive && state.endpoints?.controlUrl && (await requestDown(state.endpoints.controlUrl))) {
    const deadline = Date.now() + (options.ownerGraceMs ?? 3000);
    while (isAlive(state.owner) && Date.now() < deadline) await delay(20);
  } else if (ownerAlive && state.owner.pid !== process.pid) {
    // Still starting (no control API yet) or unresponsive: SIGTERM makes it abort and tear down.
    process.kill(state.owner.pid, 'SIGTERM');
    const deadline = Date.now() + (options.ownerGraceMs ?? 3000);
    while (isAlive(state.owner) && Date.now() < deadline) await delay(20);
  }
  // Whatever the owner did or did not do: clean from the records (the latest state, the owner may have updated it).
  const latest = readState(entry.runDir) ?? state;
  const report = await teardownState(
    { ...latest, processes: [...latest.processes, ...state.processes] }, // teardown skips duplicate pids
    { graceMs: 1000, includeOwner: latest.owner.pid !== process.pid },
  );
  writeJsonAtomic(statePath(entry.runDir), { ...latest, phase: 'stopped', processes: [] });
  unregisterStack(entry.runId);
  const outcome = ownerAlive
    ? 'stopped'
    : latest.phase === 'stopped' && report.stopped.length === 0
      ? 'gone'
      : 'reaped';
  return { runId: entry.runId, runDir: entry.runDir, outcome, report };
}

/** Stop the stack `runId` (or every registered stack) and reap leftovers of crashed runs. */
export async function downStacks(runId?: string): Promise<DownResult[]> {
  const { entries } = listRegistered();
  const selected = entries.filter((e) => runId === undefined || e.runId === runId || !isAlive(e.owner));
  return Promise.all(selected.map((e) => downEntry(e)));
}

/** Reap every registered stack whose owner is gone (its watchdog died too, or has not finished yet). */
export async function reapOwnerless(): Promise<DownResult[]> {
  const { entries } = listRegistered();
  return Promise.all(entries.filter((e) => !isAlive(e.owner)).map((e) => downEntry(e)));
}

export async function downStack(runId: string): Promise<DownResult | null> {
  const entry = listRegistered().entries.find((e) => e.runId === runId);
  return entry ? downEntry(entry) : null;
}

/**
 * A running stack seen from another process (`chaosbank status|fault|heal|down`): found through the
 * registry, described by its state file. Process actions go through the owner's control API (restart
 * needs the owner's handles); kill/pause/resume fall back to signalling the recorded pids directly.
 */
import { setInterval } from 'node:timers';
import { InputError } from '../../src/contract/errors.js';
import type { StackEvent } from '../../src/contract/events.js';
import type { Topology } from '../../src/contract/topology.js';
import type { DriverName, RegionEndpoints, StartedStack } from '../driver.js';
import type { ProcessAction } from '../../src/contract/process-action.js';
import type { StackStatus } from '../../src/contract/stack-status.js';
import { requestAction } from './control.js';
import { readEventsFile } from './events.js';
import { identify, isAlive, signalIfSame } from './proc.js';
import { listRegistered } from './registry.js';
import { readState, type StackEndpoints, type StackState } from './state.js';
import { collectLedgers } from './stack.js';
import { fetchStackStatus } from './status.js';
import { postmasterOf } from './teardown.js';
import { descendants } from './tree.js';
import { downStack } from './down.js';
import { eventsPathOf, logsDirOf } from './paths.js';

export class AttachedStack implements StartedStack {
  readonly driver: DriverName = 'local';
  readonly runId: string;
  readonly runDir: string;
  readonly topology: Topology;
  readonly routerUrl: string;
  readonly regions: Record<string, RegionEndpoints>;
  readonly toxiproxyUrl: string;
  readonly endpoints: StackEndpoints;
  readonly logsDir: string;
  readonly eventsPath: string;

  constructor(readonly state: StackState) {
    if (!state.topology || !state.endpoints) throw new Error(`stack ${state.runId} is not ready`);
    this.runId = state.runId;
    this.runDir = state.runDir;
    this.topology = state.topology;
    this.endpoints = state.endpoints;
    this.logsDir = logsDirOf(state.runDir);
    this.eventsPath = eventsPathOf(state.runDir);
    this.routerUrl = state.endpoints.routerUrl;
    this.toxiproxyUrl = state.endpoints.toxiproxyUrl;
    this.regions = Object.fromEntries(
      Object.entries(state.endpoints.regions).map(([name, apiUrl]) => [name, { name, apiUrl }]),
    );
  }

  async processAction(componentId: string, action: ProcessAction): Promise<void> {
    if (this.endpoints.controlUrl && isAlive(this.state.owner)) {
      return requestAction(this.endpoints.controlUrl, componentId, action);
    }
    const id = componentId === 'db@primary' ? `db@${(await this.status()).primary}` : componentId;
    signalComponent(this.state, id, action);
  }

  status(): Promise<StackStatus> {
    return fetchStackStatus(this.endpoints, this.topology);
  }

  collectLedgers(dir: string): Promise<Record<string, { path: string } | { error: string }>> {
    return collectLedgers(this.endpoints, dir);
  }

  events(): StackEvent[] {
    return readEventsFile(this.eventsPath);
  }

  /** Events appended by the owner after subscribing (the file is polled every 100 ms). */
  onEvent(listener: (event: StackEvent) => void): () => void {
    let seen = this.events().length;
    const timer = setInterval(() => {
      const all = this.events();
      for (const event of all.slice(seen)) listener(event);
      seen = all.length;
    }, 100);
    timer.unref();
    return () => clearInterval(timer);
  }

  async down(): Promise<void> {
    await downStack(this.runId);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.down();
  }
}

/**
 * kill / pause / resume a component by signalling its recorded pid (start time checked). A database is
 * found through its data directory's postmaster.pid, with all its backends for pause/resume.
 * Restart needs the owner: use AttachedStack.processAction.
 */
export function signalComponent(state: StackState, componentId: string, action: ProcessAction): void {
  if (action === 'restart')
    throw new InputError(
      'RESTART_NEEDS_OWNER',
      `cannot restart ${componentId}: the stack's supervisor is not running`,
    );
  const entry = state.processes.find((p) => p.component === componentId && p.pid > 0);
  if (!entry)
    throw new InputError(
      'UNKNOWN_COMPONENT',
      `no running component "${componentId}" in stack ${state.runId}`,
    );
  const signal: NodeJS.Signals = action === 'kill' ? 'SIGKILL' : action === 'pause' ? 'SIGSTOP' : 'SIGCONT';
  const live = entry.dataDir ? postmasterOf(entry.dataDir) : { pid: entry.pid, startTime: entry.startTime };
  if (!live) return;
  const targets =
    entry.dataDir && action !== 'kill' ? [live, ...descendants(live.pid).map(identify)] : [live];
  for (const t of targets) signalIfSame(t, signal);
}

/**
 * The active (ready, owner alive) stack: the one with `runId`, else the newest. Null when none runs.
 * `$CHAOSBANK_HOME` (default ~/.chaosbank) selects the registry.
 */
export function readActiveStack(runId?: string): AttachedStack | null {
  const { entries } = listRegistered();
  const candidates = entries.filter((e) => runId === undefined || e.runId === runId).reverse();
  for (const entry of candidates) {
    const state = readState(entry.runDir);
    if (state?.phase === 'ready' && state.endpoints && isAlive(state.owner)) return new AttachedStack(state);
  }
  return null;
}

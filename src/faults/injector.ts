/**
 * Applies compiled faults to a live stack and reverts them: proxy state and toxics through the
 * Toxiproxy API, process actions through the driver. Apply and revert are idempotent, serialised, and
 * remembered in a FaultStore (`faults.json`) so that a fresh process can heal what a crashed one left.
 */
import type { ProcessAction } from '../contract/process-action.js';
import type { StackStatus } from '../contract/stack-status.js';
import { environmentCodeOf, EnvironmentError, InputError, isChaosbankError } from '../contract/errors.js';
import type { FaultSpec } from './spec.js';
import type { StackEvent } from '../contract/events.js';
import { dbId, type Topology } from '../contract/topology.js';
import { compileFault } from './compile.js';
import { scenarioFaultId } from './fault-id.js';
import {
  CURRENT_PRIMARY_DB,
  TOXIC_PREFIX,
  disabledProxies,
  proxiesToEnable,
  revertsOf,
  toxicsOf,
  touchedProxies,
  type FaultOperation,
  type RevertOperation,
} from './plan.js';
import { FileFaultStore, MemoryFaultStore, type AppliedFault, type FaultStore } from './store.js';
import { ToxiproxyApi, type ProxyState } from './toxiproxy-api.js';

export type { AppliedFault } from './store.js';

/** What process faults need from a stack (a StartedStack satisfies it). */
export interface ProcessControl {
  processAction(componentId: string, action: ProcessAction): Promise<void>;
  /** The current primary, for primary-db-kill. */
  status?(): Promise<Pick<StackStatus, 'primary'>>;
}

export interface FaultInjectorOptions {
  toxiproxyUrl: string;
  topology: Topology;
  processes?: ProcessControl;
  /** Persist applied faults here (the run dir's `faults.json`); default: in memory only. */
  statePath?: string;
  /** Receives `fault.applied` / `fault.reverted` events. */
  onEvent?: (event: StackEvent) => void;
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
}

export interface HealOptions {
  /** Also remove every `cb-*` toxic on the server and re-enable `ownedProxies` left disabled. */
  sweep?: boolean;
  /** Proxies chaosbank owns (the topology's links): re-enabled by the sweep when found disabled. */
  ownedProxies?: string[];
}

export interface HealResult {
  reverted: string[];
  removedToxics: Array<{ proxy: string; toxic: string }>;
  enabledProxies: string[];
}

export class FaultInjector {
  readonly toxiproxyUrl: string;
  private readonly api: ToxiproxyApi;
  private readonly store: FaultStore;
  private readonly now: () => number;
  /** Serialises apply/revert/heal so reference counts see a consistent list. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Applies prepared ahead of their instant, by fault id. */
  private readonly prepared = new Map<string, Prepared>();

  constructor(private readonly options: FaultInjectorOptions) {
    this.api = new ToxiproxyApi(options.toxiproxyUrl);
    this.toxiproxyUrl = this.api.url;
    this.store =
      options.statePath === undefined
        ? new MemoryFaultStore()
        : new FileFaultStore(options.statePath, this.toxiproxyUrl);
    this.now = options.now ?? Date.now;
  }

  /**
   * Apply a fault; applying an id that is already active is a no-op returning the active fault.
   * `scheduledAt` (epoch ms) is when it was meant to take effect; default: now.
   */
  apply(fault: FaultSpec, options: { id?: string; scheduledAt?: number } = {}): Promise<AppliedFault> {
    const scheduledAt = options.scheduledAt ?? this.now();
    return this.serial(() => this.applyNow(fault, options.id ?? scenarioFaultId(fault, 0), scheduledAt));
  }

  /**
   * Do everything an apply needs except the change itself (compile, resolve, record the intent, read
   * the proxies), so that `apply` at the scheduled instant only sends the changes. A fault on the
   * current primary is resolved at the instant and not prepared. Errors surface at `apply`.
   */
  prepare(fault: FaultSpec, options: { id: string }): Promise<void> {
    return this.serial(async () => {
      const plan = compileFault(fault, this.options.topology, { id: options.id });
      if (plan.operations.some((op) => op.type === 'process' && op.component === CURRENT_PRIMARY_DB)) return;
      const ready = await this.prepareNow(fault, options.id);
      if ('record' in ready) this.prepared.set(options.id, ready);
    }).catch(() => undefined);
  }

  /** Revert a fault; reverting an id that is not active is a no-op returning null. */
  revert(id: string, options: { scheduledAt?: number } = {}): Promise<AppliedFault | null> {
    const scheduledAt = options.scheduledAt ?? this.now();
    return this.serial(() => this.revertNow(id, scheduledAt));
  }

  /** Revert every fault chaosbank applied (latest first), optionally sweeping leftovers. */
  healAll(options: HealOptions = {}): Promise<HealResult> {
    return this.serial(() => this.healNow(options));
  }

  active(): Promise<AppliedFault[]> {
    return this.serial(() => this.store.load());
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(fault: FaultSpec, id: string, scheduledAt: number): Promise<AppliedFault> {
    const prepared = this.prepared.get(id);
    this.prepared.delete(id);
    const ready = prepared?.fault === fault ? prepared : await this.prepareNow(fault, id);
    if ('active' in ready) return ready.active;
    const { record, proxies } = ready;

    const done: FaultOperation[] = [];
    let appliedAt: number;
    try {
      appliedAt = await this.executeAll(record.operations, done, proxies);
    } catch (error) {
      const faults = (await this.store.load()).filter((f) => f.id !== id);
      const rollbackErrors = await this.undo(revertsOf(done), { id, operations: done }, faults);
      await this.store.save(faults);
      if (rollbackErrors.length > 0 && isChaosbankError(error))
        error.details.push(...rollbackErrors.map((e) => `rollback also failed: ${message(e)}`));
      throw error;
    }
    // The fault took effect when its last change was made: that instant, not the bookkeeping after it.
    const applied: AppliedFault = { ...record, status: 'active', scheduledAt, appliedAt };
    const faults = (await this.store.load()).filter((f) => f.id !== id);
    await this.store.save([...faults, applied]);
    this.emit('fault.applied', applied, applied.appliedAt);
    return applied;
  }

  /** Compile, check, resolve, record the intent and read the proxies the apply will change. */
  private async prepareNow(fault: FaultSpec, id: string): Promise<Prepared | { active: AppliedFault }> {
    const plan = compileFault(fault, this.options.topology, { id });
    let faults = await this.store.load();
    const existing = faults.find((f) => f.id === id);
    if (existing) {
      const same = existing.kind === plan.kind && existing.target === plan.target;
      if (same && existing.status === 'active') return { active: existing };
      // An apply interrupted by a crash (or prepared and not applied): run it again (proxy and toxic
      // operations are idempotent).
      if (same) faults = faults.filter((f) => f.id !== id);
      else
        throw new InputError(
          'FAULT_ID_IN_USE',
          `fault id \`${id}\` is already active as ${existing.kind} on ${existing.target}`,
          {
            details: ['Revert it first, or choose another id.'],
          },
        );
    }
    const operations = await this.resolve(plan.operations);
    const record: AppliedFault = {
      id,
      kind: plan.kind,
      target: plan.target,
      ...(plan.region === undefined ? {} : { region: plan.region }),
      ...(operations.some((op) => op.type === 'process')
        ? { component: operations.find((op) => op.type === 'process')!.component }
        : {}),
      status: 'applying',
      appliedAt: this.now(),
      operations,
      reverts: revertsOf(operations),
    };
    const network = operations.filter((op) => op.type !== 'process').length;
    const [proxies] = await Promise.all([
      operations.some((op) => op.type === 'disable-proxy') ? this.api.listProxies() : {},
      this.api.warm(network), // one open connection per change, so they all go out at once
    ]);
    // Remember the intent before any change: a crash mid-apply leaves a record that heal can undo.
    await this.store.save([...faults, record]);
    return { fault, record, proxies };
  }

  private async revertNow(id: string, scheduledAt?: number): Promise<AppliedFault | null> {
    const faults = await this.store.load();
    const fault = faults.find((f) => f.id === id);
    if (!fault) return null;
    if (this.prepared.delete(id)) {
      // Prepared, never applied: nothing was changed, only the intent recorded.
      await this.store.save(faults.filter((f) => f.id !== id));
      return null;
    }
    const errors = await this.undo(fault.reverts, fault, faults);
    if (errors.length > 0) throw aggregate(`could not fully revert fault ${id}`, errors);
    const revertedAt = this.now();
    await this.store.save(faults.filter((f) => f.id !== id));
    this.emit('fault.reverted', fault, revertedAt, scheduledAt);
    return fault;
  }

  private async healNow(options: HealOptions): Promise<HealResult> {
    const errors: unknown[] = [];
    const reverted: string[] = [];
    for (const fault of (await this.store.load()).reverse()) {
      try {
        if (await this.revertNow(fault.id)) reverted.push(fault.id);
      } catch (error) {
        errors.push(error);
      }
    }
    const result: HealResult = { reverted, removedToxics: [], enabledProxies: [] };
    if (options.sweep) {
      try {
        await this.sweep(options.ownedProxies ?? [], result);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw aggregate('heal did not complete', errors);
    return result;
  }

  /** Remove every leftover `cb-*` toxic and re-enable owned proxies no active fault holds down. */
  private async sweep(owned: string[], result: HealResult): Promise<void> {
    const held = new Set((await this.store.load()).flatMap(disabledProxies));
    const proxies = await this.api.listProxies();
    for (const proxy of Object.values(proxies)) {
      for (const toxic of proxy.toxics ?? []) {
        if (!toxic.name.startsWith(TOXIC_PREFIX)) continue;
        await this.api.removeToxic(proxy.name, toxic.name);
        result.removedToxics.push({ proxy: proxy.name, toxic: toxic.name });
      }
      if (!proxy.enabled && owned.includes(proxy.name) && !held.has(proxy.name)) {
        await this.api.setEnabled(proxy.name, true);
        result.enabledProxies.push(proxy.name);
      }
    }
  }

  /** Run reverts, honouring disables still held by other faults; returns the errors (keeps going). */
  private async undo(
    reverts: RevertOperation[],
    fault: { id: string; operations: FaultOperation[] },
    faults: AppliedFault[],
  ): Promise<unknown[]> {
    const mayEnable = new Set(proxiesToEnable(fault, faults));
    const wanted = reverts.filter((op) => op.type !== 'enable-proxy' || mayEnable.has(op.proxy));
    const errors: unknown[] = [];
    // Process actions first, in order (a paused database resumes before its links come back), then
    // every proxy and toxic revert at once.
    for (const op of wanted.filter((o) => o.type === 'process')) {
      try {
        await this.executeRevert(op);
      } catch (error) {
        errors.push(error);
      }
    }
    const network = wanted.filter((o) => o.type !== 'process');
    for (const result of await Promise.allSettled(network.map((op) => this.executeRevert(op))))
      if (result.status === 'rejected') errors.push(result.reason);
    return errors;
  }

  private async resolve(operations: FaultOperation[]): Promise<FaultOperation[]> {
    const resolved: FaultOperation[] = [];
    for (const op of operations) {
      if (op.type === 'process') this.processes(op.component);
      if (op.type === 'process' && op.component === CURRENT_PRIMARY_DB) {
        resolved.push({ ...op, component: dbId(await this.currentPrimary()) });
      } else resolved.push(op);
    }
    return resolved;
  }

  private async currentPrimary(): Promise<string> {
    const processes = this.options.processes;
    if (processes?.status === undefined)
      throw new EnvironmentError(
        'FAULT_NO_STATUS',
        'primary-db-kill needs the stack status to find the current primary',
      );
    try {
      return (await processes.status()).primary;
    } catch (error) {
      throw new EnvironmentError(
        'FAULT_NO_STATUS',
        'could not read the stack status to find the current primary',
        {
          cause: error,
          details: [message(error)],
        },
      );
    }
  }

  private processes(component: string): ProcessControl {
    const processes = this.options.processes;
    if (!processes)
      throw new EnvironmentError(
        'FAULT_NO_PROCESS_CONTROL',
        `cannot act on process ${component}: this stack gives no process control`,
        { details: ['Process faults need a chaosbank stack (`chaosbank up`), not a bare Toxiproxy.'] },
      );
    return processes;
  }

  /**
   * Proxy and toxic operations run concurrently (a region goes dark at once, not link by link), then
   * process actions in order. `done` collects what succeeded, for the rollback.
   *
   * Every proxy was read when the apply was prepared, so the changes go out back to back; replication
   * links go first. A region outage must cut a primary's replication stream no later than its clients:
   * cut after them (each disable taking its turn on a busy server), the primary stops acknowledging
   * while its stream still drains, and the WAL in flight — the data a real outage loses — arrives.
   */
  private async executeAll(
    operations: FaultOperation[],
    done: FaultOperation[],
    proxies: Record<string, ProxyState>,
  ): Promise<number> {
    const network = operations
      .filter((op) => op.type !== 'process')
      .sort((a, b) => this.cutOrder(a) - this.cutOrder(b));
    const results = await Promise.allSettled(network.map((op) => this.execute(op, proxies)));
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') done.push(network[i]!);
    });
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    let tookEffect = this.now();
    for (const op of operations.filter((o) => o.type === 'process')) {
      // A kill or pause takes effect when it is issued; waiting for the process to be gone is bookkeeping.
      tookEffect = this.now();
      await this.execute(op, {});
      done.push(op);
    }
    return tookEffect;
  }

  /** 0 for operations on replication links, 1 for the rest. */
  private cutOrder(op: FaultOperation): number {
    if (op.type === 'process') return 1;
    const link = this.options.topology.links.find((l) => l.name === op.proxy);
    return link?.kind === 'replication' ? 0 : 1;
  }

  private async execute(op: FaultOperation, proxies: Record<string, ProxyState>): Promise<void> {
    switch (op.type) {
      case 'disable-proxy': {
        const proxy = proxies[op.proxy];
        if (proxy === undefined) throw this.api.proxyNotFound(op.proxy);
        // Read ahead of the instant: another fault may have re-enabled it since, so always send.
        return this.api.writeEnabled(proxy, false);
      }
      case 'add-toxic':
        return this.api.addToxic(op.proxy, op.toxic);
      case 'process':
        return this.processAction(op.component, op.action);
    }
  }

  private async executeRevert(op: RevertOperation): Promise<void> {
    switch (op.type) {
      case 'enable-proxy':
        // A proxy that no longer exists (stack torn down) has nothing left to revert.
        await this.api.setEnabled(op.proxy, true);
        return;
      case 'remove-toxic':
        return this.api.removeToxic(op.proxy, op.toxic);
      case 'process':
        return this.processAction(op.component, op.action);
    }
  }

  private async processAction(component: string, action: ProcessAction): Promise<void> {
    try {
      await this.processes(component).processAction(component, action);
    } catch (error) {
      if (isChaosbankError(error)) throw error;
      throw new EnvironmentError(
        'FAULT_PROCESS_ACTION_FAILED',
        `could not ${action} ${component}: ${message(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  /** `time` is when the change took effect; `scheduledAt` when it was meant to (a revert's, for reverts). */
  private emit(
    type: 'fault.applied' | 'fault.reverted',
    fault: AppliedFault,
    time: number,
    scheduledAt = fault.scheduledAt,
  ): void {
    const event: StackEvent = {
      time,
      type,
      ...(fault.component === undefined ? {} : { component: fault.component }),
      ...(fault.region === undefined ? {} : { region: fault.region }),
      data: {
        id: fault.id,
        kind: fault.kind,
        target: fault.target,
        proxies: touchedProxies(fault),
        toxics: toxicsOf(fault).map((t) => ({
          proxy: t.proxy,
          name: t.name,
          type: t.type,
          stream: t.stream,
        })),
        disabled: disabledProxies(fault),
        processes:
          type === 'fault.applied'
            ? fault.operations.flatMap((op) =>
                op.type === 'process' ? [{ component: op.component, action: op.action }] : [],
              )
            : fault.reverts.flatMap((op) =>
                op.type === 'process' ? [{ component: op.component, action: op.action }] : [],
              ),
        ...(scheduledAt === undefined ? {} : { scheduledAt }),
        appliedAt: fault.appliedAt,
        ...(type === 'fault.reverted' ? { revertedAt: time } : {}),
      },
    };
    this.options.onEvent?.(event);
  }
}

/** An apply made ready ahead of its instant: the intent is recorded, the proxies it changes read. */
interface Prepared {
  fault: FaultSpec;
  record: AppliedFault;
  proxies: Record<string, ProxyState>;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function aggregate(summary: string, errors: unknown[]): EnvironmentError {
  const first = errors[0];
  return new EnvironmentError(
    environmentCodeOf(first, 'FAULT_REVERT_FAILED'),
    `${summary}: ${message(first)}`,
    { cause: first, details: errors.slice(1).map((e) => `also: ${message(e)}`) },
  );
}

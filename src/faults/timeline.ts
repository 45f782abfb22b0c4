/**
 * The fault timeline of a run: applies each scenario fault at its `at` offset from the start and
 * reverts it after its `duration` (or at heal when `until: heal` / no duration). Time comes from an
 * injectable Clock; apply and revert go through the injector (idempotent, serialised).
 */
import { environmentCodeOf, EnvironmentError } from '../contract/errors.js';
import type { FaultSpec } from './spec.js';
import type { Topology } from '../contract/topology.js';
import { systemClock, type Clock } from './clock.js';
import { compileFault } from './compile.js';
import { scenarioFaultIds } from './fault-id.js';

/** What the timeline needs from a FaultInjector. */
export interface TimelineInjector {
  /** Everything but the change itself, ahead of the instant (optional; must not throw). */
  prepare?(fault: FaultSpec, options: { id: string }): Promise<unknown>;
  apply(fault: FaultSpec, options: { id: string; scheduledAt: number }): Promise<unknown>;
  revert(id: string, options: { scheduledAt: number }): Promise<unknown>;
}

/**
 * How long before its instant a fault is prepared (compiled, intent recorded, proxies read): on a busy
 * machine that took a few hundred ms, which used to land between the `at` and the change.
 */
export const PREPARE_LEAD_MS = 2000;

export type TimelineEntryState = 'pending' | 'applying' | 'active' | 'reverted' | 'failed' | 'cancelled';

export interface TimelineEntry {
  id: string;
  fault: FaultSpec;
  /** Offsets from the start, in ms; `revertAt` null = reverted at heal. */
  applyAt: number;
  revertAt: number | null;
  state: TimelineEntryState;
  error?: unknown;
}

export interface FaultTimelineOptions {
  faults: FaultSpec[];
  injector: TimelineInjector;
  clock?: Clock;
  /** Aborting cancels every pending timer (reverting is still the caller's `heal()`). */
  signal?: AbortSignal;
  /** When given, every fault is compiled up front so a bad fault fails before the run starts. */
  topology?: Topology;
  /** Called when a scheduled apply or revert fails (the timeline keeps going). */
  onError?: (error: unknown, entry: TimelineEntry, phase: 'apply' | 'revert') => void;
}

interface Slot {
  entry: TimelineEntry;
  timers: unknown[];
  /** Operations on one fault run in order: a revert waits for its apply. */
  chain: Promise<void>;
  /** Operations queued or running on `chain`. */
  queued: number;
}

export class FaultTimeline {
  private readonly clock: Clock;
  private readonly slots: Slot[];
  private started = false;
  private stopped = false;
  private readonly onAbort = (): void => this.stop();

  constructor(private readonly options: FaultTimelineOptions) {
    this.clock = options.clock ?? systemClock;
    const ids = scenarioFaultIds(options.faults);
    this.slots = options.faults.map((fault, index) => {
      const id = ids[index]!;
      if (options.topology) compileFault(fault, options.topology, { id });
      const revertAt =
        fault.until === 'heal' || fault.duration === undefined ? null : fault.at + fault.duration;
      return {
        entry: { id, fault, applyAt: fault.at, revertAt, state: 'pending' },
        timers: [],
        chain: Promise.resolve(),
        queued: 0,
      };
    });
  }

  entries(): TimelineEntry[] {
    return this.slots.map((slot) => ({ ...slot.entry }));
  }

  /** Schedule every fault relative to `startTime` (epoch ms on the clock; default now). */
  start(startTime: number = this.clock.now()): void {
    if (this.started) throw new Error('FaultTimeline.start() called twice');
    this.started = true;
    const { signal } = this.options;
    if (signal?.aborted) return this.stop();
    signal?.addEventListener('abort', this.onAbort, { once: true });
    for (const slot of this.slots) {
      const { applyAt, revertAt } = slot.entry;
      const at = (offset: number): number => startTime + offset - this.clock.now();
      if (this.options.injector.prepare !== undefined)
        slot.timers.push(this.clock.setTimeout(() => this.prepareSlot(slot), at(applyAt - PREPARE_LEAD_MS)));
      slot.timers.push(this.clock.setTimeout(() => this.applySlot(slot, startTime + applyAt), at(applyAt)));
      if (revertAt !== null)
        slot.timers.push(
          this.clock.setTimeout(() => this.revertSlot(slot, startTime + revertAt), at(revertAt)),
        );
    }
  }

  /** Cancel every pending timer; faults already applied stay applied. */
  stop(): void {
    this.stopped = true;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    for (const slot of this.slots) {
      for (const timer of slot.timers) this.clock.clearTimeout(timer);
      slot.timers = [];
      if (slot.entry.state === 'pending') slot.entry.state = 'cancelled';
    }
  }

  /** Resolves once no apply or revert is in flight. */
  async idle(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.chain));
  }

  /** Stop the timeline and revert every fault it still has applied (latest first). */
  async heal(): Promise<void> {
    this.stop();
    for (const slot of [...this.slots].reverse()) this.enqueueRevert(slot);
    await this.idle();
    const failed = this.slots.filter((s) => s.entry.state === 'active' && s.entry.error !== undefined);
    if (failed.length > 0) {
      const first = failed[0]!.entry.error;
      throw new EnvironmentError(
        environmentCodeOf(first, 'FAULT_REVERT_FAILED'),
        `could not revert ${failed.map((s) => s.entry.id).join(', ')}: ${first instanceof Error ? first.message : String(first)}`,
        { cause: first },
      );
    }
  }

  private prepareSlot(slot: Slot): void {
    if (this.stopped || slot.entry.state !== 'pending') return;
    this.enqueue(slot, async () => {
      await this.options.injector.prepare?.(slot.entry.fault, { id: slot.entry.id });
    });
  }

  private applySlot(slot: Slot, scheduledAt: number): void {
    if (this.stopped || slot.entry.state !== 'pending') return;
    slot.entry.state = 'applying';
    this.enqueue(slot, async () => {
      try {
        await this.options.injector.apply(slot.entry.fault, { id: slot.entry.id, scheduledAt });
        slot.entry.state = 'active';
      } catch (error) {
        slot.entry.state = 'failed';
        slot.entry.error = error;
        this.options.onError?.(error, { ...slot.entry }, 'apply');
      }
    });
  }

  private revertSlot(slot: Slot, scheduledAt: number): void {
    if (this.stopped) return;
    this.enqueueRevert(slot, scheduledAt);
  }

  private enqueueRevert(slot: Slot, scheduledAt?: number): void {
    if (slot.entry.state !== 'applying' && slot.entry.state !== 'active') return;
    const scheduled = scheduledAt ?? this.clock.now(); // heal: asked now
    this.enqueue(slot, async () => {
      if (slot.entry.state !== 'active') return;
      try {
        await this.options.injector.revert(slot.entry.id, { scheduledAt: scheduled });
        slot.entry.state = 'reverted';
        delete slot.entry.error;
      } catch (error) {
        slot.entry.error = error;
        this.options.onError?.(error, { ...slot.entry }, 'revert');
      }
    });
  }

  /** Start the task now when the fault is idle (so it acts at the timer's time), else after the queue. */
  private enqueue(slot: Slot, task: () => Promise<void>): void {
    const run = (): Promise<void> => task().finally(() => slot.queued--);
    slot.chain = slot.queued++ === 0 ? run() : slot.chain.then(run);
  }
}

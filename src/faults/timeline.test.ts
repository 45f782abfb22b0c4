import { describe, expect, it } from 'vitest';
import { InputError } from '../contract/errors.js';
import { faultSchema, type FaultSpec } from './spec.js';
import { planTopology } from '../topology/plan.js';
import { ManualClock } from './clock.js';
import { FaultTimeline, PREPARE_LEAD_MS, type TimelineInjector } from './timeline.js';

const fault = (input: Record<string, unknown>): FaultSpec => faultSchema.parse(input);

/** Records what the timeline asked for and when; can be told to fail or to hold an apply open. */
class RecordingInjector implements TimelineInjector {
  readonly calls: string[] = [];
  failApply = new Set<string>();
  private holds = new Map<string, () => void>();

  constructor(private readonly clock: ManualClock) {}

  hold(id: string): void {
    this.holds.set(id, () => undefined);
  }

  release(id: string): void {
    this.holds.get(id)?.();
  }

  async apply(spec: FaultSpec, { id }: { id: string }): Promise<void> {
    this.calls.push(`${this.clock.now()} apply ${id}`);
    if (this.holds.has(id)) await new Promise<void>((resolve) => this.holds.set(id, resolve));
    if (this.failApply.has(id)) throw new Error(`apply ${id} failed`);
  }

  revert(id: string): Promise<void> {
    this.calls.push(`${this.clock.now()} revert ${id}`);
    return Promise.resolve();
  }
}

/** Also prepares, and records the scheduled instants the timeline passes. */
class PreparingInjector extends RecordingInjector {
  constructor(private readonly manual: ManualClock) {
    super(manual);
  }

  prepare(_spec: FaultSpec, { id }: { id: string }): Promise<void> {
    this.calls.push(`${this.manual.now()} prepare ${id}`);
    return Promise.resolve();
  }

  override async apply(spec: FaultSpec, options: { id: string; scheduledAt: number }): Promise<void> {
    this.calls.push(`${this.manual.now()} scheduled ${options.scheduledAt}`);
    await super.apply(spec, options);
  }

  override revert(id: string, options?: { scheduledAt: number }): Promise<void> {
    this.calls.push(`${this.manual.now()} scheduled ${options?.scheduledAt}`);
    return super.revert(id);
  }
}

function setup(faults: FaultSpec[], signal?: AbortSignal) {
  const clock = new ManualClock(1_000_000);
  const injector = new RecordingInjector(clock);
  const errors: string[] = [];
  const timeline = new FaultTimeline({
    faults,
    injector,
    clock,
    ...(signal ? { signal } : {}),
    onError: (error, entry, phase) => errors.push(`${phase} ${entry.id}: ${(error as Error).message}`),
  });
  return { clock, injector, timeline, errors };
}

describe('FaultTimeline', () => {
  it('applies at `at` and reverts after `duration`, relative to the start time', async () => {
    const { clock, injector, timeline } = setup([
      fault({ name: 'outage', at: '10s', duration: '5s', kind: 'region-outage', target: { region: 'a' } }),
      fault({ at: '12s', kind: 'latency', target: { link: 'x' }, params: { latency: 100 } }),
    ]);
    timeline.start(clock.now() + 1000);
    clock.advance(10_999);
    await timeline.idle();
    expect(injector.calls).toEqual([]);
    clock.advance(1);
    await timeline.idle();
    expect(injector.calls).toEqual(['1011000 apply outage']);
    clock.advance(10_000);
    await timeline.idle();
    expect(injector.calls).toEqual([
      '1011000 apply outage',
      '1013000 apply f2-latency',
      '1016000 revert outage',
    ]);
    expect(timeline.entries().map((e) => e.state)).toEqual(['reverted', 'active']);

    // The fault without duration stays until heal.
    clock.advance(60_000);
    await timeline.heal();
    expect(injector.calls.at(-1)).toBe('1081000 revert f2-latency');
    expect(timeline.entries().map((e) => e.state)).toEqual(['reverted', 'reverted']);
  });

  it('keeps `until: heal` faults until heal even with a duration', async () => {
    const { clock, injector, timeline } = setup([
      fault({ at: 0, duration: '1s', until: 'heal', kind: 'process-kill', target: { component: 'router' } }),
    ]);
    timeline.start();
    clock.advance(5000);
    await timeline.idle();
    expect(injector.calls).toEqual(['1000000 apply f1-process-kill']);
    await timeline.heal();
    expect(injector.calls).toHaveLength(2);
  });

  it('a revert that falls due while the apply is in flight waits for it', async () => {
    const { clock, injector, timeline } = setup([
      fault({ name: 'slow', at: 0, duration: '1s', kind: 'region-outage', target: { region: 'a' } }),
    ]);
    injector.hold('slow');
    timeline.start();
    clock.advance(2000);
    expect(injector.calls).toEqual(['1000000 apply slow']);
    injector.release('slow');
    await timeline.idle();
    expect(injector.calls).toEqual(['1000000 apply slow', '1002000 revert slow']);
  });

  it('heal cancels faults not applied yet and reports failed applies without reverting them', async () => {
    const { clock, injector, timeline, errors } = setup([
      fault({ name: 'bad', at: 0, kind: 'region-outage', target: { region: 'a' } }),
      fault({ name: 'later', at: '1m', kind: 'region-outage', target: { region: 'b' } }),
    ]);
    injector.failApply.add('bad');
    timeline.start();
    clock.advance(1);
    await timeline.idle();
    expect(errors).toEqual(['apply bad: apply bad failed']);
    await timeline.heal();
    clock.advance(120_000);
    await timeline.idle();
    expect(injector.calls).toEqual(['1000000 apply bad']);
    expect(timeline.entries().map((e) => e.state)).toEqual(['failed', 'cancelled']);
    expect(clock.pending()).toBe(0);
  });

  it('an abort signal cancels pending timers', async () => {
    const controller = new AbortController();
    const { clock, injector, timeline } = setup(
      [fault({ at: '1s', kind: 'region-outage', target: { region: 'a' } })],
      controller.signal,
    );
    timeline.start();
    controller.abort();
    clock.advance(5000);
    await timeline.idle();
    expect(injector.calls).toEqual([]);
    expect(clock.pending()).toBe(0);
  });

  it('validates every fault up front when given the topology', () => {
    const topology = planTopology({
      runId: 'r',
      regions: ['a', 'b'],
      primary: 'a',
      replication: 'sync',
      stack: {
        bugs: [],
        failoverGraceMs: 1,
        heartbeatIntervalMs: 1,
        routerHealthIntervalMs: 1,
        routerUnhealthyAfter: 1,
      },
      accounts: { count: 2, funding: 1, currency: 'USD' },
    });
    const clock = new ManualClock();
    expect(
      () =>
        new FaultTimeline({
          faults: [fault({ at: 0, kind: 'region-outage', target: { region: 'z' } })],
          injector: new RecordingInjector(clock),
          clock,
          topology,
        }),
    ).toThrow(InputError);
  });

  it('prepares each fault ahead of its instant and tells the injector the scheduled instants', async () => {
    const clock = new ManualClock(1_000_000);
    const injector = new PreparingInjector(clock);
    const timeline = new FaultTimeline({
      faults: [
        fault({ name: 'outage', at: '10s', duration: '5s', kind: 'region-outage', target: { region: 'a' } }),
        fault({ name: 'now', at: 0, kind: 'latency', target: { link: 'x' }, params: { latency: 100 } }),
      ],
      injector,
      clock,
    });
    timeline.start(clock.now() + 1000);
    clock.advance(1000);
    await timeline.idle();
    // `at: 0` is closer than the lead: prepared at the start, applied at its instant.
    expect(injector.calls).toEqual(['1000000 prepare now', '1001000 scheduled 1001000', '1001000 apply now']);
    clock.advance(10_000 - PREPARE_LEAD_MS - 1);
    await timeline.idle();
    expect(injector.calls).toHaveLength(3);
    clock.advance(1);
    await timeline.idle();
    expect(injector.calls.at(-1)).toBe(`${1_011_000 - PREPARE_LEAD_MS} prepare outage`);
    clock.advance(PREPARE_LEAD_MS + 5000);
    await timeline.idle();
    expect(injector.calls.slice(4)).toEqual([
      '1011000 scheduled 1011000',
      '1011000 apply outage',
      '1016000 scheduled 1016000',
      '1016000 revert outage',
    ]);
    await timeline.heal();
  });
});

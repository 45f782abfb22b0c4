import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultInjector } from '../../src/faults/injector.js';
import { FaultTimeline } from '../../src/faults/timeline.js';
import { faultSchema, type FaultSpec } from '../../src/faults/spec.js';
import type { StackEvent } from '../../src/contract/events.js';
import { echoOnce, proxiesOf, startFixture, waitFor, type FaultFixture } from './helpers.js';

const fault = (input: Record<string, unknown>): FaultSpec => faultSchema.parse(input);

let fx: FaultFixture;
/** The Toxiproxy API requests the server answered, with when. */
let requests: Array<{ time: number; method: string; url: string }>;
beforeEach(async () => {
  requests = [];
  fx = await startFixture(undefined, (record) => {
    const r = record as { event?: string; method?: string; url?: string };
    if (r.event === 'api_request') requests.push({ time: Date.now(), method: r.method!, url: r.url! });
  });
});
afterEach(async () => {
  await fx[Symbol.asyncDispose]();
});

describe('FaultTimeline with the real injector and clock', () => {
  it('applies and reverts on schedule, and heal reverts what is left', async () => {
    const events: StackEvent[] = [];
    const injector = new FaultInjector({
      toxiproxyUrl: fx.toxiproxyUrl,
      topology: fx.topology,
      onEvent: (event) => events.push(event),
    });
    const timeline = new FaultTimeline({
      topology: fx.topology,
      injector,
      faults: [
        fault({ name: 'brief', at: 0, duration: '200ms', kind: 'region-outage', target: { region: 'b' } }),
        fault({
          name: 'held',
          at: '50ms',
          kind: 'latency',
          target: { link: 'client->router' },
          params: { latency: 20 },
        }),
      ],
    });
    const start = Date.now();
    timeline.start(start);
    await waitFor(
      'both faults to be applied',
      () => events.filter((e) => e.type === 'fault.applied').length === 2,
    );
    await waitFor('the outage to revert', () => events.some((e) => e.type === 'fault.reverted'));
    const [appliedBrief, revertedBrief] = [
      events.find((e) => e.data!.id === 'brief')!,
      events.find((e) => e.type === 'fault.reverted')!,
    ];
    expect(revertedBrief.data!.id).toBe('brief');
    expect(revertedBrief.time - start).toBeGreaterThanOrEqual(200);
    expect(appliedBrief.time).toBeGreaterThanOrEqual(start);
    expect((await echoOnce(fx.ports['router->api@b']!)).ok).toBe(true);

    await timeline.heal();
    expect(timeline.entries().map((e) => e.state)).toEqual(['reverted', 'reverted']);
    const server = await proxiesOf(fx.toxiproxyUrl);
    expect(Object.values(server).every((p) => p.enabled && p.toxics.length === 0)).toBe(true);
  });

  it('prepares a fault ahead of its instant, so only its changes go out at the instant; events carry both times', async () => {
    const events: StackEvent[] = [];
    const injector = new FaultInjector({
      toxiproxyUrl: fx.toxiproxyUrl,
      topology: fx.topology,
      statePath: fx.statePath,
      onEvent: (event) => events.push(event),
    });
    const timeline = new FaultTimeline({
      topology: fx.topology,
      injector,
      faults: [
        fault({
          name: 'out',
          at: '2500ms',
          duration: '300ms',
          kind: 'region-outage',
          target: { region: 'b' },
        }),
        fault({
          name: 'slow',
          at: '2500ms',
          kind: 'latency',
          target: { link: 'client->router' },
          params: { latency: 20 },
        }),
      ],
    });
    const start = Date.now();
    timeline.start(start);
    await waitFor(
      'both faults to be applied',
      () => events.filter((e) => e.type === 'fault.applied').length === 2,
      10_000,
    );
    await waitFor('the outage to revert', () => events.some((e) => e.type === 'fault.reverted'), 10_000);

    const applied = events.filter((e) => e.type === 'fault.applied');
    for (const event of applied) {
      expect(event.data!.scheduledAt).toBe(start + 2500);
      expect(event.time).toBe(event.data!.appliedAt);
      expect(event.time).toBeGreaterThanOrEqual(start + 2500);
    }
    // Between the instant and the last change: the changes only (no reads of the proxies).
    const lastApplied = Math.max(...applied.map((e) => e.time));
    const atInstant = requests.filter((r) => r.time >= start + 2500 && r.time <= lastApplied);
    expect(atInstant.filter((r) => r.method !== 'POST')).toEqual([]);
    expect(atInstant.length).toBeGreaterThan(0);
    // The reads happened before the instant.
    expect(requests.some((r) => r.method === 'GET' && r.time < start + 2500)).toBe(true);

    const reverted = events.find((e) => e.type === 'fault.reverted')!;
    expect(reverted.data).toMatchObject({ id: 'out', scheduledAt: start + 2800, revertedAt: reverted.time });
    expect(reverted.time).toBeGreaterThanOrEqual(start + 2800);
    await timeline.heal();
  });
});

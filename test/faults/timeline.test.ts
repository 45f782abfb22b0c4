import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultInjector } from '../../src/faults/injector.js';
import { FaultTimeline } from '../../src/faults/timeline.js';
import { faultSchema, type FaultSpec } from '../../src/faults/spec.js';
import type { StackEvent } from '../../src/contract/events.js';
import { echoOnce, proxiesOf, startFixture, waitFor, type FaultFixture } from './helpers.js';

const fault = (input: Record<string, unknown>): FaultSpec => faultSchema.parse(input);

let fx: FaultFixture;
beforeEach(async () => {
  fx = await startFixture();
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
});

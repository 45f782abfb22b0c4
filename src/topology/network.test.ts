import { describe, expect, it } from 'vitest';
import { describeNetwork, pairLatency } from '../contract/network.js';
import { FALLBACK_ONE_WAY_MS, planNetwork, publishedOneWayMs } from './network.js';

const REGIONS = ['us-east', 'eu-west', 'ap-south'];

describe('planNetwork', () => {
  it('defaults to half the published round trip for every pair of the default regions', () => {
    const model = planNetwork(REGIONS);
    expect(model.kind).toBe('wan');
    expect(model.pairs).toEqual([
      { regions: ['us-east', 'eu-west'], latencyMs: 42, jitterMs: 0, source: 'published' },
      { regions: ['us-east', 'ap-south'], latencyMs: 91, jitterMs: 0, source: 'published' },
      { regions: ['eu-west', 'ap-south'], latencyMs: 61, jitterMs: 0, source: 'published' },
    ]);
    // the published figures are round trips in the ranges public clouds report
    expect(2 * publishedOneWayMs('us-east', 'eu-west')!).toBeGreaterThanOrEqual(75);
    expect(2 * publishedOneWayMs('ap-south', 'us-east')!).toBeGreaterThanOrEqual(180);
  });

  it('lan adds no latency anywhere', () => {
    const model = planNetwork(REGIONS, 'lan');
    expect(model.kind).toBe('lan');
    expect(model.pairs.every((p) => p.latencyMs === 0 && p.jitterMs === 0)).toBe(true);
    expect(describeNetwork(model)).toBe('lan (no added latency)');
  });

  it('a pair named in either order overrides the default; `*` covers the pairs not named', () => {
    const model = planNetwork(REGIONS, {
      latency: { 'eu-west<->us-east': 10, '*': 5 },
      jitter: { 'us-east<->ap-south': 3 },
    });
    expect(pairLatency(model, 'us-east', 'eu-west')).toMatchObject({ latencyMs: 10, source: 'scenario' });
    expect(pairLatency(model, 'ap-south', 'us-east')).toMatchObject({ latencyMs: 5, jitterMs: 3 });
    expect(pairLatency(model, 'eu-west', 'ap-south')).toMatchObject({ latencyMs: 5, jitterMs: 0 });
    expect(pairLatency(model, 'eu-west', 'eu-west')).toBeUndefined();
  });

  it('pairs the published table does not know get the documented fallback', () => {
    const model = planNetwork(['a', 'b'], { jitter: { '*': 2 } });
    expect(model.pairs).toEqual([
      { regions: ['a', 'b'], latencyMs: FALLBACK_ONE_WAY_MS, jitterMs: 2, source: 'fallback' },
    ]);
    expect(describeNetwork(model)).toBe(`wan, one-way: a<->b ${FALLBACK_ONE_WAY_MS}ms±2ms`);
  });
});

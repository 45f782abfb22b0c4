import { describe, expect, it } from 'vitest';
import { RegionHealth } from './health.js';

describe('RegionHealth', () => {
  it('fails over after N consecutive failures and back after M successes', () => {
    const health = new RegionHealth(['a', 'b'], { unhealthyAfter: 2, healthyAfter: 2 });
    expect(health.active).toBe('a');
    expect(health.record('a', { ok: false, error: 'x' })).toEqual([]);
    expect(health.record('a', { ok: false, error: 'x' })).toEqual([
      { type: 'router.region-unhealthy', region: 'a', consecutiveFailures: 2, error: 'x' },
      { type: 'router.switch', from: 'a', to: 'b' },
    ]);
    expect(health.record('a', { ok: true })).toEqual([]);
    expect(health.active).toBe('b');
    expect(health.record('a', { ok: true })).toEqual([
      { type: 'router.region-healthy', region: 'a' },
      { type: 'router.switch', from: 'b', to: 'a' },
    ]);
  });

  it('a success resets the failure count', () => {
    const health = new RegionHealth(['a', 'b'], { unhealthyAfter: 2, healthyAfter: 1 });
    health.record('a', { ok: false, error: 'x' });
    health.record('a', { ok: true });
    health.record('a', { ok: false, error: 'x' });
    expect(health.active).toBe('a');
    expect(health.regions[0]).toMatchObject({ healthy: true, consecutiveFailures: 1 });
  });

  it('has no active region when none is healthy', () => {
    const health = new RegionHealth(['a'], { unhealthyAfter: 1, healthyAfter: 1 });
    expect(health.record('a', { ok: false, error: 'down' }).at(-1)).toEqual({
      type: 'router.switch',
      from: 'a',
      to: null,
    });
    expect(health.active).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import type { Attempt } from '../history/attempt.js';
import { planAborts, ThresholdTracker } from './abort-conditions.js';
import { inspectBalances } from './ledger-probe.js';
import { LiveWindows } from './live-windows.js';

const attempt = (end: number, outcome: Attempt['outcome'], status: number, latency = 10): Attempt => ({
  seq: 0,
  kind: 'first',
  target: 'router',
  intendedStart: end - latency,
  start: end - latency,
  end,
  status,
  outcome,
});

describe('abort conditions', () => {
  it('plans named and threshold conditions, and refuses metrics only known after the run', () => {
    const plan = planAborts([
      'error_rate > 0.5 for 3s',
      'ledger_invariant_broken',
      'steady_state_not_reached',
    ]);
    expect(plan.ledgerInvariant).toBe(true);
    expect(plan.steadyState).toBe(true);
    expect(plan.thresholds).toMatchObject([{ metric: 'error_rate', op: '>', value: 0.5, forMs: 3000 }]);
    expect(() => planAborts(['duplicates > 0'])).toThrow(/only known after the run/);
  });

  it('fires only once the condition has held for its duration', () => {
    const windows = new LiveWindows(new Set([402]));
    const tracker = new ThresholdTracker(planAborts(['error_rate > 0.5 for 2s']).thresholds[0]!);
    const t0 = 1_000_000;
    for (let t = 0; t <= 3000; t += 100) {
      windows.add(attempt(t0 + t, 'info', 0));
      windows.add(attempt(t0 + t, 'fail', 402)); // declines never count against the system
    }
    expect(tracker.observe(windows.figures(t0, 1000), t0)).toEqual({ value: 1, fired: false });
    expect(tracker.observe(windows.figures(t0 + 1500, 1000), t0 + 1500).fired).toBe(false);
    expect(tracker.observe(windows.figures(t0 + 2000, 1000), t0 + 2000).fired).toBe(true);
  });

  it('resets when the condition stops holding', () => {
    const windows = new LiveWindows(new Set());
    const tracker = new ThresholdTracker(planAborts(['error_rate > 0.5 for 1s']).thresholds[0]!);
    const t0 = 2_000_000;
    windows.add(attempt(t0, 'info', 0));
    expect(tracker.observe(windows.figures(t0, 500), t0).fired).toBe(false);
    for (let i = 0; i < 5; i++) windows.add(attempt(t0 + 800, 'ok', 201));
    expect(tracker.observe(windows.figures(t0 + 800, 500), t0 + 800).fired).toBe(false);
    windows.add(attempt(t0 + 1600, 'info', 0));
    expect(tracker.observe(windows.figures(t0 + 1600, 300), t0 + 1600).fired).toBe(false);
  });
});

describe('ledger probe', () => {
  const accounts = { count: 2, funding: 100 };
  it('accepts a conserved snapshot', () => {
    expect(
      inspectBalances(
        {
          accounts: [
            { id: 'a', balance: 30 },
            { id: 'b', balance: 170 },
          ],
        },
        accounts,
      ),
    ).toBeNull();
  });
  it('reports a total that differs from the funding, and negative balances', () => {
    expect(
      inspectBalances(
        {
          accounts: [
            { id: 'a', balance: 30 },
            { id: 'b', balance: 160 },
          ],
        },
        accounts,
      )?.message,
    ).toMatch(/add up to 190, not the initial funding 200/);
    expect(
      inspectBalances(
        {
          accounts: [
            { id: 'a', balance: -5 },
            { id: 'b', balance: 205 },
          ],
        },
        accounts,
      )?.message,
    ).toMatch(/went negative, e.g. a at -5/);
  });
  it('treats an unexpected body as no evidence', () => {
    expect(inspectBalances({ error: 'x' }, accounts)).toBeNull();
  });
});

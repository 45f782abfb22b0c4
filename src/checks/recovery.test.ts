import { describe, expect, it } from 'vitest';
import type { Attempt } from '../history/attempt.js';
import type { StackEvent } from '../contract/events.js';
import { checkRun } from './accumulator.js';
import { makeAttempt } from './fixtures.js';
import type { Verdict } from './verdict.js';

const T0 = Date.UTC(2025, 0, 1);

/** A constant-rate history (one attempt every `everyMs`), all ok, except the ones `fail(t)` turns into info. */
function constantRate(opts: {
  seconds: number;
  everyMs: number;
  info: (t: number) => boolean;
  latency?: number;
}): Attempt[] {
  const out: Attempt[] = [];
  for (let t = 0, seq = 0; t < opts.seconds * 1000; t += opts.everyMs, seq++) {
    const down = opts.info(t);
    out.push(
      makeAttempt({
        seq,
        start: T0 + t,
        key: `k${seq}`,
        status: down ? 0 : 201,
        error: down ? 'timeout' : undefined,
        latency: down ? 2000 : (opts.latency ?? 5),
        servedBy: down ? undefined : t < 20_000 ? 'us-east' : 'eu-west',
      }),
    );
  }
  return out;
}

function recoveryOf(
  attempts: Attempt[],
  events: StackEvent[],
  extra: { recoveryP99Ms?: number } = {},
): Verdict {
  return checkRun({
    expectations: {
      accounts: { count: 2, funding: 1000, currency: 'USD' },
      authoritativeRegion: 'us-east',
      ...extra,
    },
    attempts,
    ledgers: {},
    events,
  });
}

const fault: StackEvent = {
  time: T0 + 20_000,
  type: 'fault.applied',
  data: { name: 'outage', kind: 'region-outage' },
};

describe('recovery metrics', () => {
  it('MTTR calibration: a 10 s outage at a constant rate is measured within one window', () => {
    const attempts = constantRate({ seconds: 60, everyMs: 10, info: (t) => t >= 20_000 && t < 30_000 });
    const detected: StackEvent = { time: T0 + 22_000, type: 'failover.detected' };
    const v = recoveryOf(attempts, [fault, detected]);
    expect(v.recovery).toMatchObject({
      tFault: T0 + 20_000,
      tImpact: T0 + 20_000,
      baseline: 1,
      recovered: true,
    });
    expect(v.recovery.threshold).toBeCloseTo(0.99, 9);
    expect(Math.abs(v.metrics.mttr_s! - 10)).toBeLessThanOrEqual(0.25);
    expect(v.metrics.rto_s).toBe(v.metrics.mttr_s);
    expect(Math.abs(v.metrics.outage_s! - 10)).toBeLessThanOrEqual(0.25);
    expect(v.metrics.detection_s).toBeCloseTo(2, 6);
    expect(v.metrics.recovered).toBe(1);
    expect(v.checkers.find((c) => c.name === 'recovery')!.passed).toBe(true);
  });

  it('a fault applied 3 s before the success rate drops: MTTR counts from the fault, outage from the impact', () => {
    const attempts = constantRate({ seconds: 60, everyMs: 10, info: (t) => t >= 23_000 && t < 30_000 });
    const v = recoveryOf(attempts, [fault]);
    expect(v.recovery.tImpact).toBe(T0 + 23_000);
    expect(Math.abs(v.metrics.mttr_s! - 10)).toBeLessThanOrEqual(0.25);
    expect(Math.abs(v.metrics.outage_s! - 7)).toBeLessThanOrEqual(0.25);
    expect(v.metrics.detection_s).toBeNull();
  });

  it('no recovery is a result: recovered=false, mttr null', () => {
    const attempts = constantRate({ seconds: 40, everyMs: 10, info: (t) => t >= 20_000 });
    const v = recoveryOf(attempts, [fault]);
    expect(v.recovery.recovered).toBe(false);
    expect(v.recovery.tRecovered).toBeNull();
    expect(v.metrics.mttr_s).toBeNull();
    expect(v.metrics.recovered).toBe(0);
    expect(v.checkers.find((c) => c.name === 'recovery')!.passed).toBe(false);
  });

  it('a recovery shorter than the hold is not a recovery', () => {
    // back up for 3 s only (hold 5 s), then down again until the end
    const attempts = constantRate({
      seconds: 40,
      everyMs: 10,
      info: (t) => t >= 20_000 && !(t >= 30_000 && t < 33_000),
    });
    expect(recoveryOf(attempts, [fault]).recovery.recovered).toBe(false);
  });

  it('with a p99 bound, windows that succeed but are slow do not count as recovered', () => {
    const attempts = constantRate({ seconds: 60, everyMs: 10, info: (t) => t >= 20_000 && t < 25_000 }).map(
      (a) => (a.start - T0 >= 25_000 && a.start - T0 < 35_000 ? { ...a, end: a.start + 800 } : a),
    );
    const bounded = recoveryOf(attempts, [fault], { recoveryP99Ms: 500 });
    expect(Math.abs(bounded.metrics.mttr_s! - 15)).toBeLessThanOrEqual(0.25);
    const unbounded = recoveryOf(attempts, [fault]);
    expect(Math.abs(unbounded.metrics.mttr_s! - 5)).toBeLessThanOrEqual(0.25);
  });

  it('declines and other client-caused fails are excluded from the success rate', () => {
    const attempts = constantRate({ seconds: 10, everyMs: 10, info: () => false }).map((a, i) =>
      i % 2 === 0 ? { ...a, status: 402, outcome: 'fail' as const } : a,
    );
    const v = recoveryOf(attempts, []);
    expect(v.metrics.success_rate).toBe(1);
    expect(v.windows[0]).toMatchObject({ ok: 12, fail: 13, declines: 13, info: 0, successRate: 1 });
    expect(v.recovery).toMatchObject({ tFault: null, recovered: true });
    expect(v.metrics.mttr_s).toBeNull();
  });

  it('windows carry the traffic share per serving region and latency percentiles from intended start', () => {
    const attempts = constantRate({ seconds: 40, everyMs: 10, info: () => false, latency: 5 }).map((a) => ({
      ...a,
      intendedStart: a.start - 20, // the engine started each request 20 ms late: latency counts from the schedule
    }));
    const v = recoveryOf(attempts, []);
    expect(v.metrics.p50_ms).toBe(25);
    expect(v.metrics.p99_ms).toBe(25);
    expect(v.metrics.max_ms).toBe(25);
    expect(v.metrics.attempts).toBe(4000);
    const early = v.windows.find((w) => w.start === T0 + 1000)!;
    const late = v.windows.find((w) => w.start === T0 + 30_000)!;
    expect(early.byRegion).toEqual({ 'us-east': 25 });
    expect(late.byRegion).toEqual({ 'eu-west': 25 });
  });

  it('a request the harness cancelled when the load stopped counts in no window; a timeout there does', () => {
    const lastAt = (error: string): Attempt[] => {
      const attempts = constantRate({ seconds: 30, everyMs: 10, info: () => false });
      const last = attempts.at(-1)!;
      attempts[attempts.length - 1] = { ...last, status: 0, outcome: 'info', error, end: last.start + 1 };
      return attempts;
    };
    const cancelled = recoveryOf(lastAt('aborted'), [fault]);
    expect(cancelled.recovery).toMatchObject({ tImpact: null, recovered: true });
    expect(cancelled.windows.at(-1)!.info).toBe(0);
    expect(cancelled.metrics.attempts).toBe(3000);
    expect(cancelled.metrics.p50_ms).toBe(5);
    const timedOut = recoveryOf(lastAt('timeout'), [fault]);
    expect(timedOut.recovery).toMatchObject({ recovered: false });
    expect(timedOut.recovery.tImpact).not.toBeNull();
  });

  it('MTTR counts from when the fault took effect (data.appliedAt), not from when its event was logged', () => {
    const attempts = constantRate({ seconds: 60, everyMs: 10, info: (t) => t >= 20_000 && t < 30_000 });
    const logged: StackEvent = {
      ...fault,
      time: T0 + 20_900,
      data: { ...fault.data, scheduledAt: T0 + 19_500, appliedAt: T0 + 20_000 },
    };
    const v = recoveryOf(attempts, [logged]);
    expect(v.recovery.tFault).toBe(T0 + 20_000);
    expect(Math.abs(v.metrics.mttr_s! - 10)).toBeLessThanOrEqual(0.25);
  });
});

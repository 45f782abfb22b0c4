import { describe, expect, it } from 'vitest';
import { ArrivalSchedule } from './schedule.js';
import { isChaosbankError } from '../contract/errors.js';

function offsets(schedule: ArrivalSchedule): number[] {
  const out: number[] = [];
  for (let i = 0; ; i++) {
    const t = schedule.offsetOf(i);
    if (t === undefined) return out;
    out.push(t);
  }
}

describe('ArrivalSchedule', () => {
  it('spaces a constant rate evenly from t=0', () => {
    const s = new ArrivalSchedule({ rate: 500, durationMs: 2000 });
    const all = offsets(s);
    expect(all).toHaveLength(1000);
    expect(all[0]).toBe(0);
    expect(all[1]).toBeCloseTo(2, 9);
    expect(all[999]).toBeCloseTo(1998, 6);
  });

  it('ramps linearly between stage targets like ramping-arrival-rate', () => {
    // 0 -> 100/s over 10 s: N(t) = 5 t², 500 arrivals; then 100/s for 5 s: 500 more.
    const s = new ArrivalSchedule({
      stages: [
        { target: 100, durationMs: 10_000 },
        { target: 100, durationMs: 5000 },
      ],
    });
    expect(s.total).toBe(1000);
    const all = offsets(s);
    expect(all).toHaveLength(1000);
    expect(all[20]).toBeCloseTo(Math.sqrt(20 / 5) * 1000, 6); // 2 s
    expect(all[499]).toBeCloseTo(Math.sqrt(499 / 5) * 1000, 6);
    expect(all[500]).toBeCloseTo(10_000, 6);
    expect(all[600]).toBeCloseTo(11_000, 6);
    for (let i = 1; i < all.length; i++) expect(all[i]!).toBeGreaterThanOrEqual(all[i - 1]!);
    // Arrivals per second follow the profile: first second 5, tenth second 95.
    expect(all.filter((t) => t < 1000)).toHaveLength(5);
    expect(all.filter((t) => t >= 9000 && t < 10_000)).toHaveLength(95);
  });

  it('ramps down, and uses `rate` as the start rate of the first stage', () => {
    const s = new ArrivalSchedule({ rate: 200, stages: [{ target: 0, durationMs: 2000 }] });
    expect(s.total).toBe(200);
    const all = offsets(s);
    expect(all.filter((t) => t < 1000)).toHaveLength(150);
    expect(s.rateAt(1000)).toBeCloseTo(100);
  });

  it('rejects a profile without a rate', () => {
    let error: unknown;
    try {
      new ArrivalSchedule({});
    } catch (e) {
      error = e;
    }
    expect(isChaosbankError(error) && error.code).toBe('LOAD_NO_RATE');
  });
});

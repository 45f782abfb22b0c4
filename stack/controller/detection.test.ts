import { describe, expect, it } from 'vitest';
import { LossDetector } from './detection.js';

describe('LossDetector', () => {
  const grace = 1_000;

  it('is not triggered by one slow heartbeat, however late it is noticed', () => {
    const d = new LossDetector({ graceMs: grace, minFailures: 2 }, 0);
    d.renewed(0);
    // The event loop was starved for 5 s: one renewal started at 100 timed out, noticed at 5 100.
    d.failed(100, true);
    expect(d.lost(5_100)).toBe(false);
    d.renewed(5_200);
    expect(d.lost(10_000)).toBe(false);
  });

  it('needs consecutive failures spanning the grace period', () => {
    const d = new LossDetector({ graceMs: grace, minFailures: 2 }, 0);
    d.failed(2_000, false);
    d.failed(2_200, false);
    expect(d.lost(2_900)).toBe(false); // only 900 ms of failures
    d.failed(2_400, false);
    expect(d.lost(3_000)).toBe(true);
  });

  it('waits until a renewal that may have reached the primary has expired', () => {
    const d = new LossDetector({ graceMs: grace, minFailures: 2 }, 0);
    d.failed(2_000, false);
    d.failed(2_500, true); // timed out after being sent: the lease may hold until 3 500
    expect(d.lost(3_100)).toBe(false);
    expect(d.lost(3_500)).toBe(true);
  });

  it('a success in between starts the count again', () => {
    const d = new LossDetector({ graceMs: grace, minFailures: 2 }, 0);
    d.failed(2_000, false);
    d.renewed(2_200);
    d.failed(2_400, false);
    d.failed(2_600, false);
    expect(d.lost(3_300)).toBe(false);
    expect(d.lost(3_400)).toBe(true);
    expect(d.failingForMs(3_400)).toBe(1_000);
  });
});

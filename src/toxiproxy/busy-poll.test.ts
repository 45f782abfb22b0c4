import { describe, expect, it } from 'vitest';
import { BusyPoll } from './busy-poll.js';

const spare = { hasSpareCore: () => true };
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('BusyPoll', () => {
  it('spins from the last activity until the window has passed quietly', async () => {
    const poll = new BusyPoll(2_000, spare);
    expect(poll.isSpinning).toBe(false);
    const start = performance.now();
    poll.activity();
    expect(poll.isSpinning).toBe(true);
    let turns = 0;
    while (poll.isSpinning) {
      await nextTurn();
      turns += 1;
    }
    expect(performance.now() - start).toBeGreaterThanOrEqual(2);
    expect(turns).toBeGreaterThan(1);
  });

  it('stops at once for good', () => {
    const poll = new BusyPoll(1_000_000, spare);
    poll.activity();
    poll.stop();
    expect(poll.isSpinning).toBe(false);
    poll.activity();
    expect(poll.isSpinning).toBe(false);
  });

  it('does not spin while the machine has no core to spare, and stops spinning when it runs out', async () => {
    let spareCore = false;
    const poll = new BusyPoll(1_000_000, { hasSpareCore: () => spareCore });
    poll.activity();
    expect(poll.isSpinning).toBe(false);
    spareCore = true;
    poll.activity();
    expect(poll.isSpinning).toBe(true);
    await nextTurn();
    expect(poll.isSpinning).toBe(true);
    spareCore = false;
    await nextTurn();
    expect(poll.isSpinning).toBe(false);
    poll.stop();
  });
});

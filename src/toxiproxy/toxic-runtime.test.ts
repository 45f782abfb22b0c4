import { describe, expect, it } from 'vitest';
import { abortableWait, slicePieces } from './toxic-runtime.js';

describe('slicePieces', () => {
  it('covers the input with pieces of average ± variation', () => {
    for (let run = 0; run < 50; run++) {
      const pieces = slicePieces(1000, 20, 5);
      expect(pieces.reduce((a, b) => a + b, 0)).toBe(1000);
      for (const piece of pieces.slice(0, -1)) {
        expect(piece).toBeGreaterThanOrEqual(15);
        expect(piece).toBeLessThanOrEqual(25);
      }
    }
  });

  it('never produces empty pieces even when variation exceeds the average', () => {
    const pieces = slicePieces(100, 2, 10);
    expect(pieces.every((piece) => piece >= 1)).toBe(true);
    expect(pieces.reduce((a, b) => a + b, 0)).toBe(100);
  });
});

describe('abortableWait', () => {
  it('resolves true after the delay, false on abort', async () => {
    expect(await abortableWait(1, new AbortController().signal)).toBe(true);
    const controller = new AbortController();
    const waiting = abortableWait(Infinity, controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
    expect(await abortableWait(1000, controller.signal)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { GrowingReadBuffer, INITIAL_READ_BUFFER, MAX_READ_BUFFER } from './read-buffer.js';

describe('GrowingReadBuffer', () => {
  it('reuses one buffer while reads do not fill it', () => {
    const reads = new GrowingReadBuffer();
    const first = reads.next();
    expect(first.length).toBe(INITIAL_READ_BUFFER);
    first.write('hello');
    expect(reads.read(5).toString()).toBe('hello');
    expect(reads.next()).toBe(first);
  });

  it('doubles after a read that fills it, up to the maximum', () => {
    const reads = new GrowingReadBuffer();
    const sizes: number[] = [];
    for (let buffer = reads.next(); sizes.length < 12; buffer = reads.next()) {
      sizes.push(buffer.length);
      reads.read(buffer.length);
    }
    expect(sizes.slice(0, 3)).toEqual([
      INITIAL_READ_BUFFER,
      2 * INITIAL_READ_BUFFER,
      4 * INITIAL_READ_BUFFER,
    ]);
    expect(Math.max(...sizes)).toBe(MAX_READ_BUFFER);
    expect(sizes.at(-1)).toBe(MAX_READ_BUFFER);
  });
});

import { describe, expect, it } from 'vitest';
import { createRandom } from './prng.js';

/** sfc32 as usually written (state in plain variables), seeded the same way: the reference. */
function referenceSfc32(seed: number, stream: number): () => number {
  let s = (Math.trunc(seed) ^ Math.imul(stream + 1, 0x27d4eb2f)) >>> 0;
  const mix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

describe('createRandom', () => {
  it('draws the sfc32 sequence of the reference, for any seed and stream', () => {
    for (const seed of [0, 1, 42, -5, 2 ** 31 + 7, 123_456_789.9]) {
      for (const stream of [0, 1, 2]) {
        const random = createRandom(seed, stream);
        const reference = referenceSfc32(seed, stream);
        const draws = Array.from({ length: 10_000 }, () => [random(), reference()]);
        expect(draws.filter(([ours, theirs]) => ours !== theirs)).toEqual([]);
      }
    }
  });

  it('stays in [0, 1)', () => {
    const random = createRandom(7);
    const draws = Array.from({ length: 10_000 }, random);
    expect(draws.filter((u) => !(u >= 0 && u < 1))).toEqual([]);
  });
});

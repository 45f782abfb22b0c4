/**
 * Seeded pseudo-random numbers (sfc32 seeded through splitmix32), so `--seed` reproduces a workload.
 * Separate streams (workload, jitter) keep timing-dependent draws from shifting the workload draws.
 */
export type Random = () => number;

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A generator of floats in [0, 1) for `seed` and an independent `stream` number. */
export function createRandom(seed: number, stream = 0): Random {
  const mix = splitmix32((Math.trunc(seed) ^ Math.imul(stream + 1, 0x27d4eb2f)) >>> 0);
  // The state lives in a typed array: as closure variables, values above 2^30 are boxed, and every
  // draw would allocate (about 10 heap numbers per arrival).
  const state = new Uint32Array([mix(), mix(), mix(), mix()]);
  const next = (): number => {
    const a = state[0]!;
    const b = state[1]!;
    const c = state[2]!;
    const d = state[3]!;
    const t = (((a + b) >>> 0) + d) >>> 0;
    // stores wrap to 32 bits, as `>>> 0` did
    state[0] = b ^ (b >>> 9);
    state[1] = c + (c << 3);
    state[2] = ((c << 21) | (c >>> 11)) + t;
    state[3] = d + 1;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // warm up: sfc32 mixes poorly in its first outputs
  return next;
}

/** Integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

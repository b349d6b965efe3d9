/**
 * A small seeded PRNG so bootstrap intervals are reproducible from their seed alone (Math.random cannot be
 * seeded). mulberry32: 32-bit state, period 2^32, passes gjrand/PractRand at the sizes a bootstrap draws.
 */
import { FrwError } from '../../core/errors.js';

export interface Rng {
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Uniform integer in [0, n), unbiased (rejection sampling), for 1 <= n <= 2^32. */
  nextInt(n: number): number;
}

/** mulberry32 seeded with an integer in [0, 2^32); the same seed always gives the same sequence. */
export function mulberry32(seed: number): Rng {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new FrwError('BAD_INPUT', `seed must be an integer in [0, 2^32), got ${seed}`);
  let state = seed >>> 0;
  const nextUint32 = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    nextUint32,
    nextInt(n: number): number {
      // Reject the top partial block of 2^32 so every residue is equally likely (floor(u*n) is biased by n/2^32).
      const limit = 4294967296 - (4294967296 % n);
      let r = nextUint32();
      while (r >= limit) r = nextUint32();
      return r % n;
    },
  };
}

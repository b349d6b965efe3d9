/**
 * The bootstrap over identities of FMR at a threshold, for all pairs of a data set without listing them (LFW's
 * 87.5 million impostor pairs). The resampling rule is bootstrapOverIdentities' (bootstrap.ts): draw K identities
 * with replacement, multiplicity m(i); an impostor pair of identities (a, b) counts m(a)·m(b) times. With n_i
 * images of identity i, the rebuilt impostor count is
 *     D(m) = Σ_{a<b} n_a n_b m_a m_b = ((Σ n_i m_i)² − Σ n_i² m_i²) / 2,
 * and the rebuilt false matches at t are Σ m(a)·m(b) over the impostor pairs with s >= t — the tail above the
 * threshold, which is all that needs listing. Same PRNG and draw order as bootstrapOverIdentities on the listed
 * pairs (identities in ascending index), so both give the same replicates.
 */
import { FrwError } from '../../core/errors.js';
import { percentileBootstrap, type BootstrapInterval } from './bootstrap.js';
import { checkLevel } from './checks.js';
import { mulberry32 } from './random.js';

export interface AllPairsTail {
  /** Impostor pairs with score >= some floor, by falling score; identities as indices. */
  score: ArrayLike<number>;
  idA: ArrayLike<number>;
  idB: ArrayLike<number>;
  /** The lowest threshold the tail answers for: below it, pairs are missing. */
  floor: number;
}

/**
 * Percentile bootstrap of FMR(t) over all impostor pairs; `imagesPerIdentity` maps identity index → images with a
 * face (identities without one do not take part). Throws BAD_INPUT for t below the tail's floor.
 */
export function allPairsFmrBootstrap(tail: AllPairsTail, imagesPerIdentity: ArrayLike<number>, t: number, opts: { replicates: number; seed: number; level: number }): BootstrapInterval {
  if (!(t >= tail.floor)) throw new FrwError('BAD_INPUT', `the impostor tail starts at ${tail.floor}; FMR at ${t} needs pairs below it`);
  const level = checkLevel(opts.level);
  // Identities taking part, in ascending index (as bootstrapOverIdentities sorts its ids).
  const ids: number[] = [];
  for (let i = 0; i < imagesPerIdentity.length; i++) if (imagesPerIdentity[i] > 0) ids.push(i);
  const K = ids.length;
  if (K < 2) throw new FrwError('EMPTY_INPUT', 'impostor pairs need two identities with a face');
  const slot = new Int32Array(imagesPerIdentity.length).fill(-1);
  ids.forEach((id, k) => (slot[id] = k));
  const n = Float64Array.from(ids, (id) => imagesPerIdentity[id]);
  let hits = 0;
  while (hits < tail.score.length && tail.score[hits] >= t) hits++;
  const a = Int32Array.from({ length: hits }, (_, p) => slot[tail.idA[p]]);
  const b = Int32Array.from({ length: hits }, (_, p) => slot[tail.idB[p]]);
  const m = new Float64Array(K);
  const fmr = () => {
    let sum = 0;
    let sq = 0;
    for (let k = 0; k < K; k++) {
      const x = n[k] * m[k];
      sum += x;
      sq += x * x;
    }
    const pairs = (sum * sum - sq) / 2;
    if (pairs <= 0) throw new Error('no impostor pairs in this resample');
    let fm = 0;
    for (let p = 0; p < hits; p++) fm += m[a[p]] * m[b[p]];
    return fm / pairs;
  };
  m.fill(1);
  const estimate = fmr();
  const rng = mulberry32(opts.seed);
  return percentileBootstrap({ replicates: opts.replicates, level, seed: opts.seed, estimate, identities: K, method: `bootstrap over identities, all pairs (B=${opts.replicates}, seed=${opts.seed})` }, () => {
    m.fill(0);
    for (let d = 0; d < K; d++) m[rng.nextInt(K)]++;
    return fmr();
  });
}

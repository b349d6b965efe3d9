/**
 * Bootstrap over identities (docs/metrics.md, "Confidence"). Comparisons sharing an identity are correlated, so
 * resampling single comparisons understates the spread; the unit resampled here is the identity (or the image, for
 * sets that name no identities: below).
 *
 * One replicate: draw K identities with replacement from the K distinct identities that occur in the pairs,
 * giving each identity a multiplicity m(id) (how often it was drawn, often 0). Rebuild the pairs:
 *   - a genuine pair of identity a is kept m(a) times (each copy of a brings its own genuine pairs);
 *   - an impostor pair (a, b) is kept m(a)·m(b) times (every copy of a meets every copy of b).
 * Copies of the same identity are not compared with each other: they are the same images, not new pairs.
 * Then the statistic is recomputed on the rebuilt genuine and impostor scores.
 *
 * A set that names no identities (a pair-only sheet) cannot be resampled by person, and pretending each image is
 * a person would call every genuine pair an impostor one. Its unit is the image (`unit: 'image'`): a pair belongs
 * to the two images it uses, so every pair, genuine or impostor, is kept m(a)·m(b) times. The method text says so.
 */
import { FrwError, errorMessage } from '../../core/errors.js';
import { checkLevel } from './checks.js';
import { lowerBound } from './sorted.js';
import { mulberry32, type Rng } from './random.js';
import type { Interval } from './types.js';

/** What a replicate draws: identities (people), or images for sets that name no identities. */
export const RESAMPLE_UNITS = ['identity', 'image'] as const;
export type ResampleUnit = (typeof RESAMPLE_UNITS)[number];

/** The words every interval's `method` starts with for a unit: the reason an image bootstrap was chosen included. */
export function bootstrapName(unit: ResampleUnit): string {
  return unit === 'image' ? 'bootstrap over images: this set names no identities' : 'bootstrap over identities';
}

/** Scored pairs with their identities; index i of every array describes pair i. */
export interface IdentityPairs {
  readonly score: ArrayLike<number>;
  /** 1 for a genuine pair (idA === idB when the unit is the identity), 0 for an impostor pair. */
  readonly same: ArrayLike<number>;
  /** The resampled unit of each side: an identity index, or an image index when `unit` is 'image'. */
  readonly idA: ArrayLike<number>;
  readonly idB: ArrayLike<number>;
  /** Default 'identity'. With 'image', no pair may use one image twice (module comment). */
  readonly unit?: ResampleUnit;
}

export interface BootstrapOptions {
  /** Number of replicates B (default 1000). */
  readonly replicates?: number;
  /** PRNG seed, an integer in [0, 2^32); required so every interval can be reproduced. */
  readonly seed: number;
  /** Confidence level (default 0.95). */
  readonly level?: number;
}

/** A replicate failure: the statistic threw (e.g. a resample without genuine pairs) or returned NaN. */
export interface BootstrapFailure {
  readonly message: string;
  readonly count: number;
}

/** A percentile interval from the replicates that succeeded; the failed ones are counted, not hidden. */
export interface BootstrapInterval extends Interval {
  readonly replicates: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Distinct failure messages with their counts, most frequent first. */
  readonly failures: readonly BootstrapFailure[];
  readonly seed: number;
  /** What was resampled. */
  readonly unit: ResampleUnit;
  /** Number of distinct units resampled (K): identities, or images when `unit` is 'image'. */
  readonly identities: number;
}

export type PairStatistic = (genuine: Float64Array, impostor: Float64Array) => number;

/** Pairs split by kind, identities replaced by their index 0..K-1 in the sorted distinct ids. */
export interface SplitPairs {
  readonly unit: ResampleUnit;
  readonly ids: Int32Array;
  readonly genuineScore: Float64Array;
  readonly genuineId: Int32Array;
  /** The second unit of each genuine pair when the unit is the image (null for identities: both sides share one). */
  readonly genuineB: Int32Array | null;
  readonly impostorScore: Float64Array;
  readonly impostorA: Int32Array;
  readonly impostorB: Int32Array;
}

/**
 * Percentile-bootstrap interval of `statistic(genuine, impostor)`, resampling identities (module comment has
 * the multiplicity rule). estimate = the statistic on the original pairs; lower/upper = the (1-level)/2 and
 * (1+level)/2 quantiles of the successful replicates, linearly interpolated (numpy's default, "type 7").
 * Ties: replicate values are sorted; equal values need no rule. Throws NOT_MEASURABLE if every replicate fails.
 */
export function bootstrapOverIdentities(pairs: IdentityPairs, statistic: PairStatistic, options: BootstrapOptions): BootstrapInterval {
  const replicates = options.replicates ?? 1000;
  const level = checkLevel(options.level ?? 0.95);
  if (!Number.isInteger(replicates) || replicates < 1) throw new FrwError('BAD_INPUT', `replicates must be a positive integer, got ${replicates}`);
  const rng = mulberry32(options.seed);
  const split = splitPairs(pairs);
  const estimate = statistic(split.genuineScore, split.impostorScore);

  const K = split.ids.length;
  const m = new Uint32Array(K);
  return percentileBootstrap({ replicates, level, seed: options.seed, estimate, identities: K, unit: split.unit, method: `${bootstrapName(split.unit)} (B=${replicates}, seed=${options.seed})` }, () => {
    drawIdentities(rng, m);
    const { genuine, impostor } = rebuild(split, m);
    return statistic(genuine, impostor);
  });
}

/**
 * A one-sided upper bound at `level` from a percentile bootstrap run at two-sided level 2·level − 1: the upper end
 * of that interval is the `level` quantile of the replicates. Callers run the bootstrap at 2·level − 1 for this.
 */
export function oneSidedUpper(twoSided: Interval, level: number): Interval {
  return { estimate: twoSided.estimate, lower: 0, upper: twoSided.upper, level, method: `${twoSided.method}, one-sided upper bound (the ${level} quantile)`, sided: 'upper' };
}

/**
 * The shared bootstrap loop: `replicate()` draws one resample and returns its statistic. A replicate that throws
 * or returns NaN is counted by message, never dropped silently; lower/upper are the type-7 quantiles of the
 * successful ones. Throws NOT_MEASURABLE when every replicate fails.
 */
export function percentileBootstrap(
  p: { replicates: number; level: number; seed: number; estimate: number; identities: number; unit?: ResampleUnit; method: string },
  replicate: () => number,
): BootstrapInterval {
  const values = new Float64Array(p.replicates);
  let succeeded = 0;
  const failures = new Map<string, number>();
  for (let r = 0; r < p.replicates; r++) {
    try {
      const v = replicate();
      if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`statistic returned ${String(v)}`);
      values[succeeded++] = v;
    } catch (e) {
      const msg = errorMessage(e);
      failures.set(msg, (failures.get(msg) ?? 0) + 1);
    }
  }
  const failureList = [...failures].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count);
  if (succeeded === 0) {
    throw new FrwError('NOT_MEASURABLE', `all ${p.replicates} bootstrap replicates failed: ${failureList[0]?.message}`, { failures: failureList });
  }
  const ok = values.subarray(0, succeeded).sort();
  return {
    estimate: p.estimate,
    lower: quantile(ok, (1 - p.level) / 2),
    upper: quantile(ok, (1 + p.level) / 2),
    level: p.level,
    method: p.method,
    sided: 'two-sided',
    replicates: p.replicates,
    succeeded,
    failed: p.replicates - succeeded,
    failures: failureList,
    seed: p.seed,
    unit: p.unit ?? 'identity',
    identities: p.identities,
  };
}

/**
 * The genuine and impostor scores of the pairs rebuilt with identity multiplicities `multiplicity` (id → m;
 * absent ids count 0), by the rule in the module comment. Exposed so the rule can be checked by hand.
 */
export function rebuildPairs(pairs: IdentityPairs, multiplicity: ReadonlyMap<number, number>): { genuine: Float64Array; impostor: Float64Array } {
  const split = splitPairs(pairs);
  const m = new Uint32Array(split.ids.length);
  split.ids.forEach((id, k) => (m[k] = multiplicity.get(id) ?? 0));
  return rebuild(split, m);
}

/** One resample: K identities drawn with replacement from K, as multiplicities m (overwritten). */
export function drawIdentities(rng: Rng, m: Uint32Array): void {
  const K = m.length;
  m.fill(0);
  for (let d = 0; d < K; d++) m[rng.nextInt(K)]++;
}

/** The scores of `s` rebuilt with identity multiplicities `m` (indexed like `s.ids`), by the module comment's rule. */
export function rebuild(s: SplitPairs, m: Uint32Array): { genuine: Float64Array; impostor: Float64Array } {
  // Two passes (count, then fill) so each replicate allocates exactly two arrays.
  const gB = s.genuineB;
  const keep = (i: number) => (gB ? m[s.genuineId[i]] * m[gB[i]] : m[s.genuineId[i]]);
  let ng = 0;
  for (let i = 0; i < s.genuineId.length; i++) ng += keep(i);
  let ni = 0;
  for (let i = 0; i < s.impostorA.length; i++) ni += m[s.impostorA[i]] * m[s.impostorB[i]];
  const genuine = new Float64Array(ng);
  const impostor = new Float64Array(ni);
  let k = 0;
  for (let i = 0; i < s.genuineId.length; i++) {
    for (let c = keep(i); c > 0; c--) genuine[k++] = s.genuineScore[i];
  }
  k = 0;
  for (let i = 0; i < s.impostorA.length; i++) {
    for (let c = m[s.impostorA[i]] * m[s.impostorB[i]]; c > 0; c--) impostor[k++] = s.impostorScore[i];
  }
  return { genuine, impostor };
}

/** Validate pairs and split them by kind, identities replaced by their index in the sorted distinct ids. */
export function splitPairs(p: IdentityPairs): SplitPairs {
  const n = p.score?.length;
  if (typeof n !== 'number' || p.same?.length !== n || p.idA?.length !== n || p.idB?.length !== n) {
    throw new FrwError('BAD_INPUT', 'pairs need score, same, idA and idB arrays of one length');
  }
  if (n === 0) throw new FrwError('EMPTY_INPUT', 'no pairs to bootstrap');
  const unit = p.unit ?? 'identity';
  if (!RESAMPLE_UNITS.includes(unit)) throw new FrwError('BAD_INPUT', `unit must be one of ${RESAMPLE_UNITS.join(', ')}, got ${JSON.stringify(unit)}`);
  // Distinct identities, sorted, so an identity's index is found by binary search (no per-pair objects).
  const all = new Int32Array(2 * n);
  let ng = 0;
  for (let i = 0; i < n; i++) {
    const a = p.idA[i];
    const b = p.idB[i];
    if (!Number.isInteger(a) || !Number.isInteger(b) || (a | 0) !== a || (b | 0) !== b) throw new FrwError('BAD_INPUT', `pair #${i}: identity indices must be 32-bit integers`);
    if (!Number.isFinite(p.score[i])) throw new FrwError('BAD_INPUT', `pair #${i}: score is ${p.score[i]}`);
    const same = p.same[i];
    if (same !== 0 && same !== 1) throw new FrwError('BAD_INPUT', `pair #${i}: same must be 0 or 1, got ${same}`);
    if (unit === 'image' && a === b) throw new FrwError('BAD_INPUT', `pair #${i}: both sides are image ${a}; a pair compares two images`);
    if (unit === 'identity' && (same === 1) !== (a === b)) {
      throw new FrwError('BAD_INPUT', `pair #${i}: same=${same} but identities ${a} and ${b} ${a === b ? 'are equal' : 'differ'}`);
    }
    ng += same;
    all[2 * i] = a;
    all[2 * i + 1] = b;
  }
  all.sort();
  let K = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[K++] = all[i];
  const ids = all.slice(0, K);
  const s = {
    unit,
    ids,
    genuineScore: new Float64Array(ng),
    genuineId: new Int32Array(ng),
    genuineB: unit === 'image' ? new Int32Array(ng) : null,
    impostorScore: new Float64Array(n - ng),
    impostorA: new Int32Array(n - ng),
    impostorB: new Int32Array(n - ng),
  };
  let g = 0;
  let im = 0;
  for (let i = 0; i < n; i++) {
    if (p.same[i] === 1) {
      s.genuineScore[g] = p.score[i];
      if (s.genuineB) s.genuineB[g] = lowerBound(ids, p.idB[i]);
      s.genuineId[g++] = lowerBound(ids, p.idA[i]);
    } else {
      s.impostorScore[im] = p.score[i];
      s.impostorA[im] = lowerBound(ids, p.idA[i]);
      s.impostorB[im++] = lowerBound(ids, p.idB[i]);
    }
  }
  return s;
}

/** Type-7 quantile of ascending `v` (linear interpolation between order statistics). */
export function quantile(v: Float64Array, q: number): number {
  const h = (v.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, v.length - 1);
  // Equal neighbours return as they are, so ±Infinity statistics do not turn into NaN (Inf - Inf).
  return v[lo] === v[hi] ? v[lo] : v[lo] + (h - lo) * (v[hi] - v[lo]);
}

/**
 * Paired bootstrap over identities (docs/metrics.md, "Comparing two models on the same comparisons"): two models
 * scored on the same comparisons are resampled together. Every replicate draws one set of identity multiplicities
 * (the rule of bootstrap.ts: genuine pairs × m(a), impostor pairs × m(a)·m(b)) and rebuilds both models' scores
 * with it, so the spread of the difference leaves out what the two models share: the people and pairs drawn.
 * The draws are bootstrapOverIdentities' own for the same seed: each model's side of a replicate is the replicate
 * its single-model interval saw when that interval was computed over the same comparisons with the same seed (a
 * comparison one model failed to acquire is left out of both sides here, so then the two differ).
 */
import { FrwError } from '../../core/errors.js';
import { bootstrapName, drawIdentities, percentileBootstrap, rebuild, splitPairs, type BootstrapInterval, type BootstrapOptions, type PairStatistic, type ResampleUnit } from './bootstrap.js';
import { checkLevel } from './checks.js';
import { eer } from './eer.js';
import { mulberry32 } from './random.js';
import { sortScores } from './sorted.js';
import { tarAtOneFmr } from './tar-at-fmr.js';
import type { SortedScores } from './types.js';

/** Comparisons both models scored, with identities; index i of every array is comparison i. */
export interface PairedIdentityPairs {
  readonly scoreA: ArrayLike<number>;
  readonly scoreB: ArrayLike<number>;
  /** 1 for a genuine pair (idA === idB), 0 for an impostor pair. */
  readonly same: ArrayLike<number>;
  readonly idA: ArrayLike<number>;
  readonly idB: ArrayLike<number>;
  /** What idA/idB index (bootstrap.ts): identities by default, images for a set that names none. */
  readonly unit?: ResampleUnit;
}

/** A statistic of A against B with the paired interval of their difference, and which one it backs, if any. */
export interface PairedDifference {
  /** What is compared, e.g. "TAR@FMR=0.1" or "EER". */
  readonly statistic: string;
  readonly higherIsBetter: boolean;
  /** The statistic of each model on the original comparisons. */
  readonly a: number;
  readonly b: number;
  /** a − b, with the percentile interval of the paired replicates' differences. */
  readonly difference: BootstrapInterval;
  /** The model the interval backs (it excludes 0 on that model's side); null: no difference backed by this data. */
  readonly better: 'a' | 'b' | null;
}

/** A statistic of one model's scores, handed them sorted once per replicate (sorted.ts) so several share the sort. */
export type SortedStatistic = (scores: SortedScores) => number;

/**
 * Percentile intervals of statistic(A) − statistic(B), one per statistic, under the paired bootstrap over
 * identities (module comment). Every statistic sees the same replicates, so the intervals equal those of one
 * statistic at a time with the same seed. estimate = the difference on the original pairs; lower/upper = type-7
 * quantiles of the successful replicates' differences at (1∓level)/2. A replicate where a side throws (e.g. a
 * resample with too few impostors to measure an FMR) is counted as failed for that statistic, never dropped
 * silently. Ties: as each statistic defines them.
 */
export function pairedReplicates(pairs: PairedIdentityPairs, statistics: readonly SortedStatistic[], options: BootstrapOptions): BootstrapInterval[] {
  const replicates = options.replicates ?? 1000;
  const level = checkLevel(options.level ?? 0.95);
  if (!Number.isInteger(replicates) || replicates < 1) throw new FrwError('BAD_INPUT', `replicates must be a positive integer, got ${replicates}`);
  if (pairs?.scoreB?.length !== pairs?.scoreA?.length) throw new FrwError('BAD_INPUT', 'scoreA and scoreB must be arrays of one length: the same comparisons');
  const rng = mulberry32(options.seed);
  const a = splitPairs({ score: pairs.scoreA, same: pairs.same, idA: pairs.idA, idB: pairs.idB, unit: pairs.unit });
  const b = splitPairs({ score: pairs.scoreB, same: pairs.same, idA: pairs.idA, idB: pairs.idB, unit: pairs.unit });
  const [sa, sb] = [sortScores(a.genuineScore, a.impostorScore), sortScores(b.genuineScore, b.impostorScore)];
  const estimates = statistics.map((f) => f(sa) - f(sb));
  const K = a.ids.length;
  const m = new Uint32Array(K);
  // Each replicate once for every statistic (one draw, one rebuild and one sort per model), kept for the loop below.
  const values = statistics.map(() => new Array<number | Error>(replicates));
  for (let r = 0; r < replicates; r++) {
    drawIdentities(rng, m);
    let ra: SortedScores | Error;
    let rb: SortedScores | Error;
    try {
      const [x, y] = [rebuild(a, m), rebuild(b, m)];
      [ra, rb] = [sortScores(x.genuine, x.impostor), sortScores(y.genuine, y.impostor)];
    } catch (e) {
      ra = rb = e as Error;
    }
    statistics.forEach((f, k) => {
      try {
        if (ra instanceof Error || rb instanceof Error) throw ra;
        values[k][r] = f(ra) - f(rb);
      } catch (e) {
        values[k][r] = e as Error;
      }
    });
  }
  const method = `paired ${bootstrapName(a.unit)} (B=${replicates}, seed=${options.seed}; the same resampled ${a.unit === 'image' ? 'images' : 'identities'} for both models)`;
  return statistics.map((_, k) => {
    let r = 0;
    return percentileBootstrap({ replicates, level, seed: options.seed, estimate: estimates[k], identities: K, unit: a.unit, method }, () => {
      const v = values[k][r++];
      if (v instanceof Error) throw v;
      return v;
    });
  });
}

/** pairedReplicates for one statistic of (genuine, impostor) scores (handed them sorted ascending). */
export function pairedBootstrapOverIdentities(pairs: PairedIdentityPairs, statistic: PairStatistic, options: BootstrapOptions): BootstrapInterval {
  return pairedReplicates(pairs, [(s) => statistic(s.genuine, s.impostor)], options)[0];
}

/** The model a difference interval backs: 'a' when it lies wholly on A's better side of 0, 'b' on B's, else null. */
export function backedSide(d: { lower: number; upper: number }, higherIsBetter: boolean): 'a' | 'b' | null {
  if (d.lower > 0) return higherIsBetter ? 'a' : 'b';
  if (d.upper < 0) return higherIsBetter ? 'b' : 'a';
  return null;
}

/** TAR at its own TAR@FMR=f threshold (tar-at-fmr.ts), NOT_MEASURABLE when f·N_impostor < 1. */
const tarStatistic = (f: number): SortedStatistic => (s) => {
  const r = tarAtOneFmr(s, f);
  if (!r.measurable) throw new FrwError('NOT_MEASURABLE', `FMR ${f} is not measurable with ${s.impostor.length} impostor comparisons (smallest: 1/${s.impostor.length})`);
  return r.tar;
};

/**
 * The verification differences in one pass over the same replicates: ΔTAR@FMR=f = TAR_A − TAR_B for each target,
 * each model at its own TAR@FMR=f threshold (the lowest candidate with FMR <= f) re-derived in every replicate, so
 * the interval covers the whole "pick t for this FMR, then measure TAR" procedure of both; and ΔEER = EER_A − EER_B,
 * each the FVC2000 midpoint (eer.ts), lower is better. A target not measurable on the original impostors
 * (f·N < 1) throws NOT_MEASURABLE: leave it out (pairedTarAtFmr says why).
 */
export function pairedVerification(pairs: PairedIdentityPairs, targets: readonly number[], options: BootstrapOptions): PairedDifference[] {
  const stats = [...targets.map((f) => ({ name: `TAR@FMR=${f}`, higherIsBetter: true, of: tarStatistic(f) })), { name: 'EER', higherIsBetter: false, of: ((s) => eer(s).estimate) as SortedStatistic }];
  const intervals = pairedReplicates(pairs, stats.map((x) => x.of), options);
  const side = (score: ArrayLike<number>) => {
    const s = splitPairs({ score, same: pairs.same, idA: pairs.idA, idB: pairs.idB, unit: pairs.unit });
    return sortScores(s.genuineScore, s.impostorScore);
  };
  const [sa, sb] = [side(pairs.scoreA), side(pairs.scoreB)];
  return stats.map((x, k) => ({ statistic: x.name, higherIsBetter: x.higherIsBetter, a: x.of(sa), b: x.of(sb), difference: intervals[k], better: backedSide(intervals[k], x.higherIsBetter) }));
}

/** ΔTAR@FMR=f alone (pairedVerification); NOT_MEASURABLE when f is not measurable on the original impostors. */
export function pairedTarAtFmr(pairs: PairedIdentityPairs, targetFmr: number, options: BootstrapOptions): PairedDifference {
  return pairedVerification(pairs, [targetFmr], options)[0];
}

/** ΔEER alone (pairedVerification). */
export function pairedEer(pairs: PairedIdentityPairs, options: BootstrapOptions): PairedDifference {
  return pairedVerification(pairs, [], options)[0];
}

import { FrwError } from '../core/errors.js';
import { bootstrapOverIdentities, chooseThreshold, maxErrorsWithin, oneSidedUpper, shareAt, type IdentityPairs, type Interval, type SortedScores, type ThresholdChoice } from './metrics/index.js';
import { lowestThresholdWithin } from './metrics/tar-at-fmr.js';
import { allPairsFmrBootstrap, type AllPairsTail } from './metrics/all-pairs-bootstrap.js';
import type { ResampleUnit } from './metrics/bootstrap.js';

/** The budget rule with both bounds: Clopper-Pearson's and the identity bootstrap's, the more conservative deciding. */
export interface BudgetChoice extends ThresholdChoice {
  /** FMR's one-sided upper bound from the bootstrap over identities (over images for a set naming none: its method says) at the chosen threshold. */
  fmrUpperBootstrap: Interval;
  /** Which bound set the threshold: the bootstrap's when it was stricter than Clopper-Pearson's. */
  decidedBy: 'clopper-pearson' | 'bootstrap';
}

/**
 * The budget rule of docs/metrics.md in full: the lowest candidate threshold at which both one-sided upper bounds
 * of FMR at `level` are <= target — Clopper-Pearson's (independent comparisons) and the percentile bootstrap over
 * identities' (comparisons that share people, the `level` quantile of the replicates), which `upperAt(t)` gives
 * (pairsFmrUpper for listed pairs, allPairsFmrUpper for all pairs streamed). Both bounds grow with the
 * false matches allowed, so the allowance is found by bisection from Clopper-Pearson's, one bootstrap per step
 * (same seed each time: the steps compare like with like). With no false match allowed every replicate's FMR is
 * 0, so an allowance always exists once Clopper-Pearson's does. Throws NOT_MEASURABLE as chooseThreshold does when
 * the data cannot back the target at all. `unit` is what upperAt's bootstrap resamples, for the description: the same
 * rule holds over images (a set that names no identities), where pairs sharing an image are what recur.
 */
export function budgetWithBootstrap(sorted: SortedScores, upperAt: (t: number) => Interval, target: number, level: number, unit: ResampleUnit = 'identity'): BudgetChoice {
  if (!(level > 0.5 && level < 1)) throw new FrwError('BAD_INPUT', `a one-sided bound needs a level in (0.5, 1), got ${level}`);
  const cp = chooseThreshold(sorted, { kind: 'fmr-bound', target }, level);
  const n = sorted.impostor.length;
  const { k, bound, stricter } = allowanceWithin(maxErrorsWithin(target, n, level), (k) => upperAt(lowestThresholdWithin(sorted, k)), target);
  if (!stricter) return { ...cp, fmrUpperBootstrap: bound, decidedBy: 'clopper-pearson' };
  const t = lowestThresholdWithin(sorted, k);
  const at = chooseThreshold(sorted, { kind: 'fixed', threshold: t }, level);
  return {
    ...at,
    rule: cp.rule,
    description: `FMR budget ${target}: the lowest threshold whose one-sided ${Math.round(100 * level)}% upper bounds of FMR, Clopper-Pearson's and ${unit === 'image' ? "the bootstrap over images' (this set names no identities)" : "the bootstrap over identities'"}, are both <= ${target}, so at most ${k.toLocaleString('en')} false matches of ${n.toLocaleString('en')} (the bootstrap's bound was the stricter); accept iff similarity ≥ t`,
    fmrUpperBootstrap: bound,
    decidedBy: 'bootstrap',
  };
}

/**
 * The most errors k in [0, cpAllowance] whose second bound (`boundAt(k)`, the bootstrap's at the threshold that
 * allows k) is also within the target, given that Clopper-Pearson allows cpAllowance. Both bounds grow with k, so a
 * bisection, tried first at cpAllowance (usually the answer: then one bootstrap). k = 0 always qualifies: with no
 * error allowed every replicate's rate is 0. `stricter` says whether the second bound lowered the allowance.
 */
export function allowanceWithin(cpAllowance: number, boundAt: (k: number) => Interval, target: number): { k: number; bound: Interval; stricter: boolean } {
  const atCp = boundAt(cpAllowance);
  if (atCp.upper <= target) return { k: cpAllowance, bound: atCp, stricter: false };
  // lo is within both bounds (0 always is), hi (Clopper-Pearson's) is not.
  let lo = 0;
  let loBound: Interval | null = null;
  let hi = cpAllowance;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const b = boundAt(mid);
    if (b.upper <= target) [lo, loBound] = [mid, b];
    else hi = mid;
  }
  // Only when no error at all is allowed is the bound at k = 0 still unknown.
  return { k: lo, bound: loBound ?? boundAt(0), stricter: true };
}

/** FMR's one-sided upper bound at t from the bootstrap of listed pairs over their unit (pairs.unit; same seed at every t). */
export function pairsFmrUpper(pairs: IdentityPairs, opts: { replicates: number; seed: number; level: number }): (t: number) => Interval {
  return (t) => oneSidedUpper(bootstrapOverIdentities(pairs, (_g, imp) => shareAt(imp, t, 'accepted'), { replicates: opts.replicates, seed: opts.seed, level: 2 * opts.level - 1 }), opts.level);
}

/** The same from all pairs, listed only above the tail's floor (metrics/all-pairs-bootstrap.ts). */
export function allPairsFmrUpper(tail: AllPairsTail, imagesPerIdentity: ArrayLike<number>, opts: { replicates: number; seed: number; level: number }): (t: number) => Interval {
  return (t) => oneSidedUpper(allPairsFmrBootstrap(tail, imagesPerIdentity, t, { ...opts, level: 2 * opts.level - 1 }), opts.level);
}

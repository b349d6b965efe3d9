import { FrwError } from '../core/errors.js';
import { bootstrapOverIdentities, chooseThreshold, maxErrorsWithin, shareAt, type IdentityPairs, type Interval, type SortedScores, type ThresholdChoice } from './metrics/index.js';
import { lowestThresholdWithin } from './metrics/tar-at-fmr.js';

/** The budget rule with both bounds: Clopper-Pearson's and the identity bootstrap's, the more conservative deciding. */
export interface BudgetChoice extends ThresholdChoice {
  /** FMR's one-sided upper bound from the bootstrap over identities at the chosen threshold. */
  fmrUpperBootstrap: Interval;
  /** Which bound set the threshold: the bootstrap's when it was stricter than Clopper-Pearson's. */
  decidedBy: 'clopper-pearson' | 'bootstrap';
}

/**
 * The budget rule of docs/metrics.md in full: the lowest candidate threshold at which both one-sided upper bounds
 * of FMR at `level` are <= target — Clopper-Pearson's (independent comparisons) and the percentile bootstrap over
 * identities' (comparisons that share people, the `level` quantile of the replicates). Both bounds grow with the
 * false matches allowed, so the allowance is found by bisection from Clopper-Pearson's, one bootstrap per step
 * (same seed each time: the steps compare like with like). With no false match allowed every replicate's FMR is
 * 0, so an allowance always exists once Clopper-Pearson's does. Throws NOT_MEASURABLE as chooseThreshold does when
 * the data cannot back the target at all.
 */
export function budgetWithBootstrap(sorted: SortedScores, pairs: IdentityPairs, target: number, opts: { replicates: number; seed: number; level: number }): BudgetChoice {
  if (!(opts.level > 0.5 && opts.level < 1)) throw new FrwError('BAD_INPUT', `a one-sided bound needs a level in (0.5, 1), got ${opts.level}`);
  const cp = chooseThreshold(sorted, { kind: 'fmr-bound', target }, opts.level);
  const n = sorted.impostor.length;
  // A one-sided bound at γ is the upper end of a two-sided interval at 2γ - 1.
  const bootUpper = (t: number) => {
    const b = bootstrapOverIdentities(pairs, (_g, imp) => shareAt(imp, t, 'accepted'), { replicates: opts.replicates, seed: opts.seed, level: 2 * opts.level - 1 });
    return { estimate: b.estimate, lower: 0, upper: b.upper, level: opts.level, method: `${b.method}, one-sided upper bound (the ${opts.level} quantile)`, sided: 'upper' as const };
  };
  const atCp = bootUpper(cp.threshold.similarity);
  if (atCp.upper <= target) return { ...cp, fmrUpperBootstrap: atCp, decidedBy: 'clopper-pearson' };
  // Bisection over the allowance: lo is within both bounds (0 always is), hi (Clopper-Pearson's) is not.
  let lo = 0;
  let loBound: Interval | null = null;
  let hi = maxErrorsWithin(target, n, opts.level);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const b = bootUpper(lowestThresholdWithin(sorted, mid));
    if (b.upper <= target) [lo, loBound] = [mid, b];
    else hi = mid;
  }
  const k = lo;
  // Only when no false match at all is allowed is the bound at k = 0 still unknown (every replicate's FMR is 0 there).
  const bound = loBound ?? bootUpper(lowestThresholdWithin(sorted, 0));
  const t = lowestThresholdWithin(sorted, k);
  const at = chooseThreshold(sorted, { kind: 'fixed', threshold: t }, opts.level);
  return {
    ...at,
    rule: cp.rule,
    description: `FMR budget ${target}: the lowest threshold whose one-sided ${Math.round(100 * opts.level)}% upper bounds of FMR, Clopper-Pearson's and the bootstrap over identities', are both <= ${target}, so at most ${k.toLocaleString('en')} false matches of ${n.toLocaleString('en')} (the bootstrap's bound was the stricter); accept iff similarity ≥ t`,
    fmrUpperBootstrap: bound,
    decidedBy: 'bootstrap',
  };
}

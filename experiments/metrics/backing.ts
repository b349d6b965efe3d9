/** Backed targets and the budget rule (docs/metrics.md, "Measurable is not backed" and "Budget rule"). */
import { FrwError } from '../../core/errors.js';
import { betaQuantile } from './beta.js';
import { checkLevel } from './checks.js';
import type { Interval } from './types.js';

/**
 * One-sided upper Clopper-Pearson bound of a binomial rate k/n at confidence `level`: upper = Beta⁻¹(level; k+1, n-k),
 * 1 when k = n, and the closed form 1 - (1-level)^(1/n) when k = 0 (the rule of three: about 3/n at 95%).
 * `lower` is 0: a one-sided bound says only "the rate is at most this". Assumes independent trials.
 */
export function clopperPearsonUpper(errors: number, trials: number, level = 0.95): Interval {
  if (!Number.isInteger(trials) || trials < 1) throw new FrwError(trials === 0 ? 'EMPTY_INPUT' : 'BAD_INPUT', `trials must be a positive integer, got ${trials}`);
  if (!Number.isInteger(errors) || errors < 0 || errors > trials) throw new FrwError('BAD_INPUT', `errors must be an integer in [0, trials=${trials}], got ${errors}`);
  checkLevel(level);
  const upper = errors === trials ? 1 : errors === 0 ? -Math.expm1(Math.log(1 - level) / trials) : betaQuantile(level, errors + 1, trials - errors);
  return { estimate: errors / trials, lower: 0, upper, level, method: 'Clopper-Pearson exact, one-sided upper bound', sided: 'upper' };
}

/**
 * The fewest trials that back a target rate f at `level` with zero errors: the smallest n with
 * 1 - (1-level)^(1/n) <= f, i.e. n >= ln(1-level) / ln(1-f) (about 3/f at 95%: 29,956 for 1e-4). With errors it
 * takes more; this is the floor any data set must reach.
 */
export function trialsToBack(target: number, level = 0.95): number {
  if (typeof target !== 'number' || !(target > 0 && target < 1)) throw new FrwError('BAD_INPUT', `target rate must be in (0, 1), got ${String(target)}`);
  checkLevel(level);
  let n = Math.ceil(Math.log(1 - level) / Math.log1p(-target));
  // The closed form in doubles can land one off either way; settle it on the bound itself.
  while (n > 1 && -Math.expm1(Math.log(1 - level) / (n - 1)) <= target) n--;
  while (-Math.expm1(Math.log(1 - level) / n) > target) n++;
  return n;
}

/** Whether k errors in n trials back a target rate f: the one-sided upper bound at `level` is <= f. */
export interface Backing {
  readonly target: number;
  readonly backed: boolean;
  /** The one-sided upper bound of the observed rate. */
  readonly upper: Interval;
  /** Trials that would back the target with zero errors (trialsToBack): what a data set needs at the least. */
  readonly trialsNeeded: number;
}

export function backing(errors: number, trials: number, target: number, level = 0.95): Backing {
  const upper = clopperPearsonUpper(errors, trials, level);
  return { target, backed: upper.upper <= target, upper, trialsNeeded: trialsToBack(target, level) };
}

/**
 * The most errors in n trials whose one-sided upper bound at `level` stays <= f (the budget rule's allowance), or
 * -1 when not even zero errors would (n < trialsToBack(f)). The bound grows with the errors, so a binary search.
 */
export function maxErrorsWithin(target: number, trials: number, level = 0.95): number {
  if (trials < trialsToBack(target, level)) return -1;
  let lo = 0; // within
  let hi = Math.min(trials, Math.ceil(target * trials)); // the estimate alone reaches f here: not within
  if (clopperPearsonUpper(hi, trials, level).upper <= target) return hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (clopperPearsonUpper(mid, trials, level).upper <= target) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Confidence intervals for rates (docs/metrics.md, "Confidence"). */
import { FrwError } from '../../core/errors.js';
import { betaQuantile } from './beta.js';
import { checkLevel } from './checks.js';
import type { Interval } from './types.js';

export { bootstrapOverIdentities, rebuildPairs } from './bootstrap.js';
export type { BootstrapInterval, BootstrapOptions, IdentityPairs } from './bootstrap.js';

/**
 * Clopper-Pearson exact interval for a binomial rate k/n: lower = Beta⁻¹(α/2; k, n-k+1), upper =
 * Beta⁻¹(1-α/2; k+1, n-k), α = 1 - level; lower = 0 when k = 0 and upper = 1 when k = n (closed forms there:
 * with 0 errors the upper bound is 1 - (α/2)^(1/n), about 3.69/n at 95%). Ties: not applicable (counts in).
 * It assumes independent trials; comparisons sharing an image are not, hence bootstrapOverIdentities.
 */
export function clopperPearson(successes: number, trials: number, level = 0.95): Interval {
  if (!Number.isInteger(trials) || trials < 0) throw new FrwError('BAD_INPUT', `trials must be a non-negative integer, got ${trials}`);
  if (trials === 0) throw new FrwError('EMPTY_INPUT', 'no trials: a rate over zero comparisons has no interval');
  if (!Number.isInteger(successes) || successes < 0 || successes > trials) {
    throw new FrwError('BAD_INPUT', `successes must be an integer in [0, trials=${trials}], got ${successes}`);
  }
  checkLevel(level);
  const k = successes;
  const n = trials;
  const halfAlpha = (1 - level) / 2;
  // k = 0: I_x(1, n) = 1 - (1-x)^n, so the upper bound solves (1-x)^n = α/2; expm1 keeps the digits of a tiny x.
  const lower = k === 0 ? 0 : k === n ? Math.exp(Math.log(halfAlpha) / n) : betaQuantile(halfAlpha, k, n - k + 1);
  const upper = k === n ? 1 : k === 0 ? -Math.expm1(Math.log(halfAlpha) / n) : betaQuantile(1 - halfAlpha, k + 1, n - k);
  return { estimate: k / n, lower, upper, level, method: 'Clopper-Pearson exact', sided: 'two-sided' };
}

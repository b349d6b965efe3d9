/**
 * Robust location and scale for the audit's "how unusual is this value" questions: the median and the median
 * absolute deviation, which a handful of mislabelled images cannot drag along as they drag a mean and a standard
 * deviation.
 */

/** Median of the finite values (NaN when there are none); the mean of the two middle values for an even count. */
export function median(values: ArrayLike<number>): number {
  const v = Float64Array.from(Array.prototype.filter.call(values, Number.isFinite) as number[]).sort();
  if (v.length === 0) return NaN;
  const h = v.length >> 1;
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

/** The centre and spread a robust z is measured against. */
export interface RobustScale {
  median: number;
  /** Median absolute deviation from the median, unscaled. */
  mad: number;
  /**
   * The spread z divides by: 1.4826 × MAD (a normal distribution's σ); when MAD is 0 (over half the values equal),
   * 1.2533 × the mean absolute deviation (its σ for a normal distribution too, Iglewicz & Hoaglin 1993); 0 when
   * every value is equal.
   */
  sigma: number;
  /** Finite values it was computed from. */
  n: number;
}

export function robustScale(values: ArrayLike<number>): RobustScale {
  const finite = (Array.prototype.filter.call(values, Number.isFinite) as number[]);
  const med = median(finite);
  const dev = finite.map((x) => Math.abs(x - med));
  const mad = median(dev);
  let sigma = 1.4826 * mad;
  if (!(sigma > 0) && dev.length > 0) sigma = 1.2533 * (dev.reduce((a, b) => a + b, 0) / dev.length);
  return { median: med, mad: Number.isFinite(mad) ? mad : NaN, sigma: Number.isFinite(sigma) ? sigma : NaN, n: finite.length };
}

/**
 * The robust ("modified") z of x: (x − median) / sigma. Iglewicz & Hoaglin call |z| > 3.5 a likely outlier.
 * With sigma 0 (all values equal) a value at the median is 0 and any other ±Infinity; NaN for a non-finite x
 * or an empty scale.
 */
export function robustZ(x: number, s: RobustScale): number {
  if (!Number.isFinite(x) || s.n === 0) return NaN;
  if (s.sigma > 0) return (x - s.median) / s.sigma;
  return x === s.median ? 0 : x > s.median ? Infinity : -Infinity;
}

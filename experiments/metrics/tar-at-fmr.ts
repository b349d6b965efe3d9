/** TAR at a target FMR (docs/metrics.md, "TAR@FMR=f"). */
import { FrwError } from '../../core/errors.js';
import { countAtLeast, scoresFrom, upperBound } from './sorted.js';
import type { Scores, SortedScores, TarAtFmrPoint } from './types.js';

/**
 * TAR@FMR=f: the threshold is the lowest candidate t (distinct scores plus ±Infinity) with FMR(t) <= f; TAR and
 * the achieved FMR are reported there. Ties: an impostor scoring exactly t is a false match (s >= t), so a tie
 * at the threshold is counted, and tied scores are never split. A target with f·N_impostor < 1 (f < 1/N) is not
 * measurable: threshold, tar, achievedFmr and falseMatches are null and smallestMeasurableFmr = 1/N_impostor.
 * O(k log n) for k targets on SortedScores.
 */
export function tarAtFmr(sorted: SortedScores, targets: ArrayLike<number>): TarAtFmrPoint[];
export function tarAtFmr(genuine: Scores, impostor: Scores, targets: ArrayLike<number>): TarAtFmrPoint[];
export function tarAtFmr(...args: unknown[]): TarAtFmrPoint[] {
  const { sorted, next } = scoresFrom(args);
  const targets = args[next] as ArrayLike<number>;
  if (targets == null || typeof targets.length !== 'number') throw new FrwError('BAD_INPUT', 'targets must be an array of FMR values in [0, 1]');
  return Array.from(targets, (f) => tarAtOneFmr(sorted, f));
}

/** tarAtFmr for one target on SortedScores. */
export function tarAtOneFmr(s: SortedScores, f: number): TarAtFmrPoint {
  if (typeof f !== 'number' || !(f >= 0 && f <= 1)) throw new FrwError('BAD_INPUT', `target FMR must be in [0, 1], got ${String(f)}`);
  const g = s.genuine;
  const im = s.impostor;
  const n = im.length;
  const smallestMeasurableFmr = 1 / n;
  const k = maxFalseMatches(f, n);
  if (k < 1) {
    return { targetFmr: f, measurable: false, threshold: null, tar: null, achievedFmr: null, falseMatches: null, smallestMeasurableFmr };
  }
  const threshold = lowestThresholdWithin(s, k);
  // Counts at `threshold` itself, so the reported numbers follow from the reported threshold.
  const falseMatches = countAtLeast(im, threshold);
  const accepted = countAtLeast(g, threshold);
  return {
    targetFmr: f,
    measurable: true,
    threshold,
    tar: accepted / g.length,
    achievedFmr: falseMatches / n,
    falseMatches,
    smallestMeasurableFmr,
  };
}

/**
 * The lowest candidate threshold at which at most k impostors are accepted (k >= 1 or 0): with k >= N every
 * candidate qualifies and the lowest is -Infinity (accept all). Shared by TAR@FMR and the budget rule.
 */
export function lowestThresholdWithin(s: SortedScores, k: number): number {
  const g = s.genuine;
  const im = s.impostor;
  const n = im.length;
  if (k >= n) return -Infinity;
  // At most k impostors may be >= t, so t must lie above v, the (k+1)-th highest impostor. The lowest candidate
  // above v is the next distinct score of either set (or +Infinity): every threshold in (v, that score] has the
  // same FMR, and the lowest one accepts the most genuine scores.
  const v = im[n - k - 1];
  const gi = upperBound(g, v);
  const ii = upperBound(im, v);
  return Math.min(gi < g.length ? g[gi] : Infinity, ii < n ? im[ii] : Infinity);
}

/**
 * The largest integer k with k/n <= f, compared as the FMR is reported (k/n, a division), not floor(f·n):
 * 0.57·100 is 56.99999999999999 in doubles, yet 57/100 <= 0.57 and an FMR of 57/100 meets a 0.57 target.
 */
export function maxFalseMatches(f: number, n: number): number {
  let k = Math.min(n, Math.floor(f * n));
  while (k < n && (k + 1) / n <= f) k++;
  while (k > 0 && k / n > f) k--;
  return k;
}

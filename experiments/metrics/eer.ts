/**
 * Equal error rate, FVC2000 convention (Maio et al., "FVC2000: Fingerprint Verification Competition", IEEE
 * PAMI 24(3), 2002), over the candidate thresholds (distinct scores plus ±Infinity):
 *   t1 = the highest candidate t with FNMR(t) <= FMR(t),  t2 = the lowest candidate t with FNMR(t) >= FMR(t);
 *   [lower, upper] = [FNMR(t1), FMR(t1)]  if FNMR(t1) + FMR(t1) <= FMR(t2) + FNMR(t2),
 *                    [FMR(t2), FNMR(t2)]  otherwise;
 *   estimate = (lower + upper) / 2, threshold = t1 or t2 accordingly.
 * FNMR - FMR never decreases as t rises, so t2 is t1 (rates exactly equal) or the next candidate above it; both
 * always exist because FNMR(-Inf) = 0 <= FMR(-Inf) = 1 and FNMR(+Inf) = 1 >= FMR(+Inf) = 0.
 */
import { countAtLeast, countBelow, scoresFrom } from './sorted.js';
import type { EerPoint, EerResult, Scores, SortedScores } from './types.js';

/**
 * EER as the FVC2000 interval with its midpoint and threshold (see the module comment).
 * Ties: rates use "accept iff s >= t" at candidate thresholds, so tied scores cross together and the interval
 * widens rather than splitting a tie. FNMR and FMR are compared exactly (cross-multiplied integer counts).
 * O(log² n) on SortedScores: binary searches, no sweep.
 */
export function eer(sorted: SortedScores): EerResult;
export function eer(genuine: Scores, impostor: Scores): EerResult;
export function eer(...args: unknown[]): EerResult {
  const s = scoresFrom(args).sorted;
  const ng = s.genuine.length;
  const ni = s.impostor.length;
  // sign(FNMR(t) - FMR(t)) with integers: fnm/ng vs fm/ni  <=>  fnm*ni vs fm*ng (exact below 2^53).
  const diff = (t: number) => countBelow(s.genuine, t) * ni - countAtLeast(s.impostor, t) * ng;

  // t1: highest candidate with diff <= 0. diff is non-decreasing in t, so on each sorted array the candidates
  // satisfying it form a prefix; take the last element of each prefix, and -Infinity (always satisfies).
  let t1 = -Infinity;
  for (const a of [s.genuine, s.impostor]) {
    const k = firstIndex(a, (t) => diff(t) > 0);
    if (k > 0 && a[k - 1] > t1) t1 = a[k - 1];
  }
  // t2: lowest candidate with diff >= 0: the first element of each suffix, and +Infinity (always satisfies).
  let t2 = Infinity;
  for (const a of [s.genuine, s.impostor]) {
    const k = firstIndex(a, (t) => diff(t) >= 0);
    if (k < a.length && a[k] < t2) t2 = a[k];
  }

  const p1 = point(s, t1);
  const p2 = point(s, t2);
  const useT1 = p1.fnmr + p1.fmr <= p2.fmr + p2.fnmr;
  const lower = useT1 ? p1.fnmr : p2.fmr;
  const upper = useT1 ? p1.fmr : p2.fnmr;
  return { estimate: (lower + upper) / 2, lower, upper, threshold: useT1 ? t1 : t2, t1: p1, t2: p2, method: 'FVC2000 interval' };
}

function point(s: SortedScores, t: number): EerPoint {
  return { threshold: t, fmr: countAtLeast(s.impostor, t) / s.impostor.length, fnmr: countBelow(s.genuine, t) / s.genuine.length };
}

/** First index k of ascending `a` with pred(a[k]) true, for a predicate monotone false→true along `a`. */
function firstIndex(a: Float64Array, pred: (t: number) => boolean): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(a[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

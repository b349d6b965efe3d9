/** Error rates at one fixed threshold (docs/metrics.md, "Verification (1:1)"). */
import { checkThreshold } from './checks.js';
import { countAtLeast, countBelow, scoresFrom } from './sorted.js';
import type { ErrorRates, Scores, SortedScores } from './types.js';

/**
 * FMR(t) = #{impostor s >= t}/N_impostor and FNMR(t) = #{genuine s < t}/N_genuine at threshold t.
 * Ties: a score equal to t is accepted, so an impostor at exactly t is a false match and a genuine score at t is
 * not a false non-match. O(log n) on SortedScores.
 */
export function errorRatesAt(sorted: SortedScores, threshold: number): ErrorRates;
export function errorRatesAt(genuine: Scores, impostor: Scores, threshold: number): ErrorRates;
export function errorRatesAt(...args: unknown[]): ErrorRates {
  const { sorted, next } = scoresFrom(args);
  return ratesOf(sorted, checkThreshold(args[next]));
}

/** errorRatesAt on already-checked SortedScores (internal: no argument parsing). */
export function ratesOf(s: SortedScores, t: number): ErrorRates {
  const falseMatches = countAtLeast(s.impostor, t);
  const falseNonMatches = countBelow(s.genuine, t);
  const fnmr = falseNonMatches / s.genuine.length;
  return {
    threshold: t,
    fmr: falseMatches / s.impostor.length,
    fnmr,
    // (N - fnm)/N rather than 1 - fnmr: exact counts give the same double as sklearn's tpr.
    tar: (s.genuine.length - falseNonMatches) / s.genuine.length,
    falseMatches,
    falseNonMatches,
    genuineCount: s.genuine.length,
    impostorCount: s.impostor.length,
  };
}

/**
 * The share of unsorted scores at or above t (`'accepted'`) or below it (`'rejected'`), in one pass: FMR and TAR,
 * or FNMR, of a bootstrap replicate's rebuilt scores (sorting each replicate would cost more than counting).
 * Throws on no scores: a resample without comparisons of that kind has no rate (the bootstrap counts it failed).
 */
export function shareAt(scores: Float64Array, t: number, side: 'accepted' | 'rejected'): number {
  if (scores.length === 0) throw new Error('no comparisons of this kind in the resample');
  let accepted = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i] >= t) accepted++;
  return (side === 'accepted' ? accepted : scores.length - accepted) / scores.length;
}

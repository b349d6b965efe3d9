/**
 * Similarity ⇄ distance views of one comparison score, in one place (docs/metrics.md, "Scores and decisions").
 * For L2-normalised embeddings with cosine similarity s: d_cos = 1 - s and d_L2 = sqrt(2 - 2s). Both are
 * decreasing in s, so "accept iff s >= t" is exactly "accept iff d <= d(t)"; ±Infinity thresholds map to
 * ∓Infinity distances (reject all / accept all).
 */
import { FrwError } from '../../core/errors.js';

/** Cosine distance 1 - s of a similarity (any number; ±Infinity map to ∓Infinity). */
export function similarityToCosineDistance(s: number): number {
  checkNumber(s, 'similarity');
  return 1 - s;
}

/** Similarity 1 - d of a cosine distance. */
export function cosineDistanceToSimilarity(d: number): number {
  checkNumber(d, 'cosine distance');
  return 1 - d;
}

/**
 * L2 distance sqrt(2 - 2s) between unit vectors with cosine s. Finite s must lie in [-1, 1] (else it is not a
 * cosine of unit vectors: BAD_INPUT); +Infinity → -Infinity (no distance is <= it: reject all), -Infinity → +Infinity.
 */
export function similarityToL2Distance(s: number): number {
  checkNumber(s, 'similarity');
  if (s === Infinity) return -Infinity;
  if (s === -Infinity) return Infinity;
  if (s < -1 || s > 1) throw new FrwError('BAD_INPUT', `similarity ${s} is outside [-1, 1]: not a cosine of unit vectors, so it has no L2 distance`);
  return Math.sqrt(2 - 2 * s);
}

/**
 * L2 distance of a computed cosine score. A float32 dot product of unit vectors can land a rounding step outside
 * [-1, 1]; such a score is clamped rather than refused (unlike a threshold typed in by a user).
 */
export function scoreToL2Distance(score: number): number {
  return similarityToL2Distance(Number.isFinite(score) ? Math.max(-1, Math.min(1, score)) : score);
}

/** Similarity 1 - d²/2 of an L2 distance between unit vectors; d must be in [0, 2] or ±Infinity. */
export function l2DistanceToSimilarity(d: number): number {
  checkNumber(d, 'L2 distance');
  if (d === Infinity) return -Infinity;
  if (d === -Infinity) return Infinity;
  if (d < 0 || d > 2) throw new FrwError('BAD_INPUT', `L2 distance ${d} is outside [0, 2], the range between unit vectors`);
  return 1 - (d * d) / 2;
}

function checkNumber(x: number, what: string): void {
  if (typeof x !== 'number' || Number.isNaN(x)) throw new FrwError('BAD_INPUT', `${what} must be a number, got ${String(x)}`);
}

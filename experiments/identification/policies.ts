import { FrwError } from '../../core/errors.js';
import { scoreToL2Distance } from '../metrics/index.js';

/**
 * The seed's decision rules for "who is this, or nobody we know?", on a probe's ranked candidates (best first,
 * cosine similarities of unit vectors).
 * - `distance`: unknown iff the best L2 distance exceeds τ — the same decision as "top-1 similarity < t" with
 *   t = 1 − τ²/2 (l2DistanceToSimilarity, metrics.md), so FPIR/FNIR at t describe it exactly.
 * - `distance-and-probability` (the aivivn winner's): unknown iff min distance > τ AND the classifier's
 *   probability of the top candidate < p. Our probability is a softmax over the candidates' similarities with
 *   ArcFace's scale s = 64 (the logits an ArcFace head would give for these identities).
 */
export type DecisionPolicy =
  | { kind: 'distance'; maxDistance: number }
  | { kind: 'distance-and-probability'; maxDistance: number; minProbability: number; scale: number };

export interface Decision {
  /** Index into the candidate list (0 = top-1), or null for "unknown". */
  accepted: number | null;
  distance: number;
  probability: number | null;
}

/** The aivivn winner's probability floor and ArcFace's logit scale, as every report of the rule uses them. */
export const AIVIVN_RULE = { minProbability: 0.9, scale: 64 } as const;

/** Softmax probability of the first of `scores` at logit scale `scale` (numerically stable). */
export function topProbability(scores: ArrayLike<number>, scale: number): number {
  return candidateProbability(scores, 0, scale);
}

/**
 * Softmax probability of candidate `k` of `scores`: exp(scale·s_k) / Σ_j exp(scale·s_j) over the finite scores
 * given (the probe's retrieved candidates), computed with the maximum subtracted so exp never overflows.
 */
export function candidateProbability(scores: ArrayLike<number>, k: number, scale: number): number {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) if (scores[i] > max) max = scores[i];
  let sum = 0;
  for (let i = 0; i < scores.length; i++) if (Number.isFinite(scores[i])) sum += Math.exp(scale * (scores[i] - max));
  return Math.exp(scale * (scores[k] - max)) / sum;
}

/** Apply a policy to one probe's candidate similarities (best first; -Infinity past the end). */
export function decide(candidateScores: ArrayLike<number>, policy: DecisionPolicy): Decision {
  if (candidateScores.length === 0 || !Number.isFinite(candidateScores[0])) throw new FrwError('EMPTY_INPUT', 'no candidates: the gallery is empty');
  const distance = scoreToL2Distance(candidateScores[0]);
  if (policy.kind === 'distance') return { accepted: distance > policy.maxDistance ? null : 0, distance, probability: null };
  const probability = topProbability(candidateScores, policy.scale);
  const unknown = distance > policy.maxDistance && probability < policy.minProbability;
  return { accepted: unknown ? null : 0, distance, probability };
}

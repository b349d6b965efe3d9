import { FrwError } from '../../core/errors.js';
import { CHALLENGE_K, challengeScores, scoreToL2Distance, type ChallengeScores } from '../metrics/index.js';
import { AIVIVN_RULE, candidateProbability } from './policies.js';

/**
 * The aivivn challenge's submission from an identification search: five ranked labels per probe, the strangers'
 * own label (aivivn: 1000) placed among the gallery's candidates by a decision rule, then scored with MAP@5, top-1
 * accuracy and the unknown label's precision and recall (experiments/metrics/challenge.ts).
 *
 * Rules (each places the unknown label before the first candidate it rejects, so "unknown first" is exactly the
 * rule's open-set decision on the top-1; a list whose five candidates all pass carries no unknown label):
 * - `threshold`: a candidate is rejected when its score is below t (s ≥ t is a match, docs/metrics.md).
 * - `distance-and-probability` (the aivivn winner's): rejected when its L2 distance √(2 − 2s) exceeds τ = √(2 − 2t)
 *   AND its probability is below p = 0.9. The probability of candidate k is softmax(64·s)_k = exp(64·s_k) / Σ_j
 *   exp(64·s_j), the sum over the probe's retrieved candidates (its best 20 identities, or all when the gallery is
 *   smaller): temperature 1/64, ArcFace's scale. Identities past rank 20 are left out of the sum; each would add at
 *   most exp(64·(s_20 − s_1)) to it relative to the top. Distance grows and probability falls down the list, so every
 *   candidate after a rejected one is rejected too.
 * Probes without a face (system level: every test image is answered) get the unknown label first, then the four
 * identities with the most enrolment images (the gallery's own prior; ties in label order).
 */
export const CHALLENGE_RULES = ['threshold', 'distance-and-probability'] as const;
export type ChallengeRule = (typeof CHALLENGE_RULES)[number];

/** What a run asks of challenge scoring. */
export interface ChallengeSpec {
  unknownLabel: string;
  /** Similarity threshold t; null: the run's first measurable FPIR target's threshold on these probes. */
  threshold: number | null;
  /** A probe's name in the submission: its name within its own set (the test CSV's image column). */
  nameOf: (image: number) => string;
}

/** One rule's submission, scored: what identification.json holds per (model, mode, rule). */
export interface ChallengeResult {
  rule: ChallengeRule;
  description: string;
  threshold: number;
  thresholdSource: string;
  maxDistance: number | null;
  minProbability: number | null;
  scale: number | null;
  scores: ChallengeScores;
  /** Probes answered without a face (unknown label first, then the four most-enrolled identities). */
  noFace: number;
  /** The submission file in the run folder. */
  submission: string;
}

export type ChallengeOutcome = { unknownLabel: string; results: ChallengeResult[] } | { unknownLabel: string; skipped: string };

export interface ChallengeRow {
  image: string;
  labels: string[];
}

/** One probe to answer: its true label (its gallery identity, or the unknown label) and its search row (-1: no face). */
export interface ChallengeProbe {
  image: number;
  truth: string;
  row: number;
}

export interface RankedRows {
  identity: Int32Array;
  score: Float32Array;
  ranks: number;
}

/** Index of the first of the first CHALLENGE_K candidates the rule rejects (their count when none is). */
function firstRejected(rule: ChallengeRule, scores: Float32Array, n: number, t: number, tau: number): number {
  for (let k = 0; k < n; k++) {
    const s = scores[k];
    const rejected = rule === 'threshold' ? s < t : scoreToL2Distance(s) > tau && candidateProbability(scores, k, AIVIVN_RULE.scale) < AIVIVN_RULE.minProbability;
    if (rejected) return k;
  }
  return n;
}

/** The five labels of every probe under `rule` at similarity threshold `t`. */
export function challengeRows(rule: ChallengeRule, ranked: RankedRows, identities: readonly string[], probes: readonly ChallengeProbe[], fallback: readonly string[], spec: ChallengeSpec, t: number): ChallengeRow[] {
  const tau = scoreToL2Distance(Math.min(1, t));
  return probes.map((p) => {
    if (p.row < 0) return { image: spec.nameOf(p.image), labels: [spec.unknownLabel, ...fallback.slice(0, CHALLENGE_K - 1)] };
    const scores = ranked.score.subarray(p.row * ranked.ranks, (p.row + 1) * ranked.ranks);
    const ids = ranked.identity.subarray(p.row * ranked.ranks, (p.row + 1) * ranked.ranks);
    const candidates: string[] = [];
    for (let k = 0; k < Math.min(CHALLENGE_K, ranked.ranks) && ids[k] >= 0; k++) candidates.push(identities[ids[k]]);
    const cut = firstRejected(rule, scores, candidates.length, t, tau);
    return { image: spec.nameOf(p.image), labels: [...candidates.slice(0, cut), spec.unknownLabel, ...candidates.slice(cut)].slice(0, CHALLENGE_K) };
  });
}

/** Score rows against the probes' true labels (same order), labels mapped to integer ids for the metric. */
export function scoreRows(rows: readonly ChallengeRow[], probes: readonly ChallengeProbe[], unknownLabel: string): ChallengeScores {
  if (rows.length !== probes.length) throw new FrwError('INTERNAL', `${rows.length} submission rows for ${probes.length} probes`);
  const ids = new Map<string, number>([[unknownLabel, 0]]);
  const id = (label: string) => ids.get(label) ?? (ids.set(label, ids.size), ids.size - 1);
  const predicted = new Int32Array(rows.length * CHALLENGE_K).fill(-1);
  rows.forEach((r, i) => r.labels.forEach((l, k) => (predicted[i * CHALLENGE_K + k] = id(l))));
  return challengeScores({ predicted, truth: Int32Array.from(probes, (p) => id(p.truth)) }, 0);
}

export function ruleDescription(rule: ChallengeRule, t: number): string {
  return rule === 'threshold'
    ? `unknown label before the first candidate scoring below t = ${t.toFixed(4)} (first when the top-1 is below t)`
    : `unknown label before the first candidate with L2 distance > τ = ${scoreToL2Distance(Math.min(1, t)).toFixed(4)} AND softmax(${AIVIVN_RULE.scale}·s) probability < ${AIVIVN_RULE.minProbability} over the retrieved candidates`;
}

/** Both rules' rows and scores for one (model, mode); the caller writes the rows as the submission files. */
export function runChallenge(ranked: RankedRows, identities: readonly string[], probes: readonly ChallengeProbe[], fallback: readonly string[], spec: ChallengeSpec, t: number, thresholdSource: string, fileOf: (rule: ChallengeRule) => string): Array<{ result: ChallengeResult; rows: ChallengeRow[] }> {
  return CHALLENGE_RULES.map((rule) => {
    const rows = challengeRows(rule, ranked, identities, probes, fallback, spec, t);
    const dp = rule === 'distance-and-probability';
    return {
      rows,
      result: {
        rule,
        description: ruleDescription(rule, t),
        threshold: t,
        thresholdSource,
        maxDistance: dp ? scoreToL2Distance(Math.min(1, t)) : null,
        minProbability: dp ? AIVIVN_RULE.minProbability : null,
        scale: dp ? AIVIVN_RULE.scale : null,
        scores: scoreRows(rows, probes, spec.unknownLabel),
        noFace: probes.filter((p) => p.row < 0).length,
        submission: fileOf(rule),
      },
    };
  });
}

/**
 * LFW-style k-fold verification accuracy (docs/metrics.md, "LFW 10-fold"): for each fold, the threshold with
 * the best accuracy on the other folds is applied to the held-out fold. With LFW's pairs.txt there are ten
 * folds of 600 pairs; any fold labelling with at least two folds works.
 */
import { FrwError } from '../../core/errors.js';
import { bestCandidate, lowerBound, sortScores } from './sorted.js';
import type { SortedScores } from './types.js';

/** Scored pairs with their fold; index i of every array describes pair i. */
export interface FoldPairs {
  readonly score: ArrayLike<number>;
  /** 1 for a genuine pair, 0 for an impostor pair. */
  readonly same: ArrayLike<number>;
  /** Fold label (an integer, e.g. 0..9 in pairs.txt order). */
  readonly fold: ArrayLike<number>;
}

export interface FoldAccuracy {
  readonly fold: number;
  /** Similarity threshold chosen on the other folds (accept iff s >= threshold). */
  readonly threshold: number;
  /** Accuracy of that threshold on the held-out fold. */
  readonly accuracy: number;
  /** Its accuracy on the other folds, where it was chosen. */
  readonly trainAccuracy: number;
  /** Pairs in the held-out fold. */
  readonly pairs: number;
}

export interface FoldedAccuracy {
  readonly folds: readonly FoldAccuracy[];
  /** Mean of the per-fold accuracies. */
  readonly mean: number;
  /** Population standard deviation (ddof = 0) of the per-fold accuracies, as numpy's std in InsightFace's verification.py. */
  readonly std: number;
  readonly method: string;
}

/**
 * Mean and population std (ddof=0) of held-out accuracy over folds. Each fold's threshold maximises training
 * accuracy (TA + TR) / N on the other folds. Every t in (u, v] gives the same training accuracy, where v is a
 * candidate (distinct training score) and u the next lower distinct training score; the threshold applied to
 * the held-out fold is the midpoint (u + v) / 2 of that interval, not its edge v, which would sit exactly on a
 * training genuine score and reject held-out genuine scores just below it.
 * Ties: among equally accurate intervals the highest (strictest), as numpy's argmax picks over InsightFace's
 * ascending distance grid; v itself when u or v is infinite. A held-out score equal to the threshold is
 * accepted (s >= t).
 */
export function tenFoldAccuracy(pairs: FoldPairs): FoldedAccuracy {
  const n = pairs?.score?.length;
  if (typeof n !== 'number' || pairs.same?.length !== n || pairs.fold?.length !== n) {
    throw new FrwError('BAD_INPUT', 'pairs need score, same and fold arrays of one length');
  }
  if (n === 0) throw new FrwError('EMPTY_INPUT', 'no pairs for k-fold accuracy');
  for (let i = 0; i < n; i++) {
    if (pairs.same[i] !== 0 && pairs.same[i] !== 1) throw new FrwError('BAD_INPUT', `pair #${i}: same must be 0 or 1, got ${pairs.same[i]}`);
    if (!Number.isInteger(pairs.fold[i])) throw new FrwError('BAD_INPUT', `pair #${i}: fold must be an integer, got ${pairs.fold[i]}`);
  }
  const labels = [...new Set(Array.from(pairs.fold))].sort((a, b) => a - b);
  if (labels.length < 2) throw new FrwError('BAD_INPUT', `k-fold accuracy needs at least two folds, got ${labels.length}`);

  const folds = labels.map((f) => oneFold(pairs, f));
  const mean = folds.reduce((a, r) => a + r.accuracy, 0) / folds.length;
  const variance = folds.reduce((a, r) => a + (r.accuracy - mean) ** 2, 0) / folds.length;
  return {
    folds,
    mean,
    std: Math.sqrt(variance),
    method: `${labels.length}-fold accuracy, threshold = midpoint of the best training-accuracy interval (ties: highest), std with ddof=0`,
  };
}

function oneFold(p: FoldPairs, f: number): FoldAccuracy {
  const train = { genuine: [] as number[], impostor: [] as number[] };
  const test = { genuine: [] as number[], impostor: [] as number[] };
  for (let i = 0; i < p.score.length; i++) {
    const side = p.fold[i] === f ? test : train;
    (p.same[i] === 1 ? side.genuine : side.impostor).push(p.score[i]);
  }
  if (train.genuine.length === 0 || train.impostor.length === 0) {
    throw new FrwError('EMPTY_INPUT', `fold ${f}: the other folds hold no ${train.genuine.length === 0 ? 'genuine' : 'impostor'} pairs to choose a threshold on`);
  }
  const s = sortScores(train.genuine, train.impostor);
  const ni = s.impostor.length;
  const best = bestCandidate(s, (ag, ai) => ag + ni - ai);
  const t = midpointBelow(s, best.threshold);
  let correct = 0;
  for (const x of test.genuine) if (x >= t) correct++;
  for (const x of test.impostor) if (x < t) correct++;
  const held = test.genuine.length + test.impostor.length;
  return { fold: f, threshold: t, accuracy: correct / held, trainAccuracy: best.value / (s.genuine.length + ni), pairs: held };
}

/** (u + v)/2 with u the highest training score below v; v itself if either is infinite or no double lies between. */
function midpointBelow(s: SortedScores, v: number): number {
  if (!Number.isFinite(v)) return v;
  const gi = lowerBound(s.genuine, v) - 1;
  const ii = lowerBound(s.impostor, v) - 1;
  const u = Math.max(gi >= 0 ? s.genuine[gi] : -Infinity, ii >= 0 ? s.impostor[ii] : -Infinity);
  const mid = u + (v - u) / 2;
  return Number.isFinite(mid) && mid > u && mid < v ? mid : v;
}

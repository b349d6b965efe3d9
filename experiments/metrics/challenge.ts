/**
 * Challenge scoring (docs/metrics.md, "Challenge scoring (aivivn face recognition)"): every test image gets up to
 * 5 ranked predicted labels; people who are not enrolled carry their own label (aivivn: 1000), which counts as a
 * label like any other. Labels are integers here (the caller maps its label strings to ids); -1 fills an empty
 * slot (a gallery smaller than the list).
 */
import { FrwError } from '../../core/errors.js';

export const CHALLENGE_K = 5;

/** One image's predictions, best first: CHALLENGE_K label ids per row in `predicted` (row-major), -1 = empty. */
export interface ChallengePredictions {
  /** n × CHALLENGE_K label ids, row-major. */
  predicted: Int32Array;
  /** n true label ids (the unknown label for strangers). */
  truth: Int32Array;
}

export interface ChallengeScores {
  images: number;
  /** Mean over images of 1/rank of the true label in the top 5 (0 if absent). */
  map5: number;
  /** Share of images whose first prediction is the true label. */
  top1: number;
  /** The unknown label as the first prediction: how often it was right (precision) and how many strangers it caught (recall). */
  unknown: { predicted: number; actual: number; correct: number; precision: number | null; recall: number | null };
}

function check(p: ChallengePredictions): number {
  const n = p.truth.length;
  if (p.predicted.length !== n * CHALLENGE_K) throw new FrwError('BAD_INPUT', `predictions hold ${p.predicted.length} labels for ${n} images; expected ${CHALLENGE_K} per image`);
  if (n === 0) throw new FrwError('EMPTY_INPUT', 'no images: MAP@5 is undefined');
  return n;
}

/**
 * MAP@5 = (1/N) Σ_i 1/r_i, where r_i is the 1-based position of image i's true label among its 5 predictions and the
 * term is 0 when the label is not among them. With one true label per image this is the mean average precision at 5
 * (Kaggle's apk with a single actual label). A label repeated in a row counts at its first position only, so
 * padding a row with the same guess earns nothing. Ties: none arise here; the predictions are already ordered (the
 * caller's rule decides an order among equal scores). Throws EMPTY_INPUT for no images.
 */
export function mapAt5(p: ChallengePredictions): number {
  const n = check(p);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < CHALLENGE_K; r++) {
      if (p.predicted[i * CHALLENGE_K + r] === p.truth[i]) {
        sum += 1 / (r + 1);
        break;
      }
    }
  }
  return sum / n;
}

/**
 * MAP@5 (mapAt5), top-1 accuracy (first prediction = true label) and the unknown label's precision and recall as a
 * first prediction: precision = correct / #{images predicted unknown first}, recall = correct / #{images whose true
 * label is unknown}; null where the denominator is 0. `unknownLabel` is the id of the unknown label.
 */
export function challengeScores(p: ChallengePredictions, unknownLabel: number): ChallengeScores {
  const n = check(p);
  let top1 = 0;
  let predicted = 0;
  let actual = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const first = p.predicted[i * CHALLENGE_K];
    if (first === p.truth[i]) top1++;
    if (first === unknownLabel) predicted++;
    if (p.truth[i] === unknownLabel) actual++;
    if (first === unknownLabel && p.truth[i] === unknownLabel) correct++;
  }
  return {
    images: n,
    map5: mapAt5(p),
    top1: top1 / n,
    unknown: { predicted, actual, correct, precision: predicted > 0 ? correct / predicted : null, recall: actual > 0 ? correct / actual : null },
  };
}

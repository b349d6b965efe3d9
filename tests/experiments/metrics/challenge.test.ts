import { test } from 'vitest';
import assert from 'node:assert/strict';
import { challengeScores, mapAt5 } from '../../../experiments/metrics/challenge.js';
import { close, generator, python, throwsFrw } from './helpers.js';

const U = 1000; // the unknown label, as in the aivivn challenge

// Five test images, five predictions each (best first), and their true labels.
const predicted = Int32Array.from([
  [7, U, 3, 2, 1], // A: truth 7 at rank 1 → 1
  [3, U, 7, 2, 1], // B: truth U at rank 2 → 1/2
  [U, 3, 7, 1, 5], // C: truth 2 absent → 0
  [U, 3, 7, 2, 1], // D: truth U at rank 1 → 1
  [3, 3, U, 7, 5], // E: truth 5 at rank 5 (the repeated 3 still takes a slot) → 1/5
].flat());
const truth = Int32Array.of(7, U, 2, U, 5);

test('MAP@5 by hand: the mean of 1/rank of the true label, 0 when absent, unknown counting as a label', () => {
  // (1 + 1/2 + 0 + 1 + 1/5) / 5 = 2.7 / 5 = 0.54
  close(mapAt5({ predicted, truth }), 0.54, 1e-15);
  // One image with its label first scores 1; the label only at rank 3 scores 1/3.
  assert.equal(mapAt5({ predicted: Int32Array.of(4, -1, -1, -1, -1), truth: Int32Array.of(4) }), 1);
  close(mapAt5({ predicted: Int32Array.of(1, 2, 4, 4, 4), truth: Int32Array.of(4) }), 1 / 3, 1e-15);
  // A label repeated counts at its first position only: [9, 9, 9, 9, 9] for truth 9 is 1, not 1 + 1/2 + …
  assert.equal(mapAt5({ predicted: Int32Array.of(9, 9, 9, 9, 9), truth: Int32Array.of(9) }), 1);
});

test('top-1 accuracy and the unknown label\'s precision and recall by hand', () => {
  const s = challengeScores({ predicted, truth }, U);
  // top-1: A (7) and D (U) are right: 2 of 5.
  assert.equal(s.top1, 0.4);
  // Unknown first: C and D (2); truly unknown: B and D (2); both: D (1) → precision 1/2, recall 1/2.
  assert.deepEqual(s.unknown, { predicted: 2, actual: 2, correct: 1, precision: 0.5, recall: 0.5 });
  assert.equal(s.images, 5);
  close(s.map5, 0.54, 1e-15);
  // No image predicted unknown, none truly unknown: undefined rates are null, never 0.
  const none = challengeScores({ predicted: Int32Array.of(1, 2, 3, 4, 5), truth: Int32Array.of(2) }, U);
  assert.deepEqual(none.unknown, { predicted: 0, actual: 0, correct: 0, precision: null, recall: null });
  close(none.map5, 0.5, 1e-15);
});

test('MAP@5 equals Kaggle\'s average precision at k (apk, one actual label) computed in Python', () => {
  // Reference: ml_metrics.apk(actual, predicted, k=5) as Kaggle published it, written out here since the package is
  // not installed; with one actual label it sums num_hits/(i+1) over first occurrences and divides by min(1, k).
  const g = generator(11);
  const n = 400;
  const p = Int32Array.from({ length: n * 5 }, () => g.int(8));
  const t = Int32Array.from({ length: n }, () => g.int(10));
  const ref = python(
    `
p = inp['p'].astype(int).reshape(-1, 5); t = inp['t'].astype(int)
def apk(actual, predicted, k=5):
    predicted = predicted[:k]; score = 0.0; hits = 0.0
    for i, x in enumerate(predicted):
        if x in actual and x not in predicted[:i]:
            hits += 1.0; score += hits / (i + 1.0)
    return score / min(len(actual), k)
out['map'] = [np.mean([apk([int(t[i])], list(p[i])) for i in range(len(t))])]
`,
    { p: Float64Array.from(p), t: Float64Array.from(t) },
  );
  close(mapAt5({ predicted: p, truth: t }), ref.map[0], 1e-12, 'MAP@5 vs apk');
});

test('bad inputs are refused', () => {
  throwsFrw(() => mapAt5({ predicted: new Int32Array(0), truth: new Int32Array(0) }), 'EMPTY_INPUT');
  throwsFrw(() => mapAt5({ predicted: Int32Array.of(1, 2, 3), truth: Int32Array.of(1) }), 'BAD_INPUT', /expected 5 per image/);
});

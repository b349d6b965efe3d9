import { test } from 'vitest';
import assert from 'node:assert/strict';
import { tenFoldAccuracy, type FoldPairs } from '../../../experiments/metrics/ten-fold.js';
import { throwsFrw } from './helpers.js';

/** Builds fold pairs from per-fold genuine and impostor score lists. */
function folds(spec: Array<{ genuine: number[]; impostor: number[] }>): FoldPairs {
  const score: number[] = [];
  const same: number[] = [];
  const fold: number[] = [];
  spec.forEach((f, k) => {
    for (const s of f.genuine) (score.push(s), same.push(1), fold.push(k));
    for (const s of f.impostor) (score.push(s), same.push(0), fold.push(k));
  });
  return { score, same, fold };
}

test('10-fold by hand: nine clean folds and one with a low genuine score', () => {
  // Folds 0..8: genuine {0.9, 0.7}, impostor {0.2, 0.4}. Fold 9: genuine {0.9, 0.3}, impostor {0.2, 0.4}.
  // Held-out fold f < 9: training = eight clean folds + fold 9 = genuine 0.9×9, 0.7×8, 0.3×1; impostor 0.2×9, 0.4×9.
  //   t = 0.9 → (9 + 18)/36;  t = 0.7 → (17 + 18)/36 = 35/36 (best);  t = 0.4 → (17 + 9)/36;  t = 0.3 → (18 + 9)/36.
  //   Best interval (0.4, 0.7]: threshold = midpoint 0.55; the held-out fold scores 4/4.
  // Held-out fold 9: training = nine clean folds; (0.4, 0.7] → 36/36, threshold 0.55. On fold 9: 0.9 accepted,
  //   0.3 rejected, both impostors rejected → 3/4.
  // mean = (9·1 + 0.75)/10 = 0.975; population std = sqrt((9·0.025² + 0.225²)/10) = sqrt(0.005625) = 0.075
  // (the sample std, ddof = 1, would be sqrt(0.05625/9) ≈ 0.0791).
  const clean = { genuine: [0.9, 0.7], impostor: [0.2, 0.4] };
  const r = tenFoldAccuracy(folds([...Array(9).fill(clean), { genuine: [0.9, 0.3], impostor: [0.2, 0.4] }]));
  assert.equal(r.folds.length, 10);
  assert.deepEqual(r.folds.map((f) => f.threshold), Array(10).fill(0.4 + (0.7 - 0.4) / 2));
  assert.deepEqual(r.folds.map((f) => f.accuracy), [...Array(9).fill(1), 0.75]);
  assert.deepEqual([r.folds[0].trainAccuracy, r.folds[9].trainAccuracy], [35 / 36, 1]);
  assert.ok(Math.abs(r.mean - 0.975) < 1e-15, String(r.mean));
  assert.ok(Math.abs(r.std - 0.075) < 1e-15, String(r.std));
  assert.deepEqual(r.folds.map((f) => f.fold), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('10-fold tie rule: the highest of equally accurate intervals, and its midpoint, not its edge', () => {
  // Training (folds 1, 2): genuine {0.9, 0.5}, impostor {0.6, 0.1}, twice. Training accuracy per interval:
  //   (0.6, 0.9] → (2 + 4)/8 = 0.75;  (0.5, 0.6] → (2 + 2)/8;  (0.1, 0.5] → (4 + 2)/8 = 0.75;  below 0.1 → 4/8.
  //   (0.6, 0.9] and (0.1, 0.5] tie: the rule takes the highest, threshold = (0.6 + 0.9)/2 = 0.75.
  // Held-out fold 0: genuine {0.8}, impostor {0.55}. At 0.75 both are right → accuracy 1. The other choices
  // fail it: the edge 0.9 rejects the genuine 0.8; the lower interval's midpoint 0.3 accepts the impostor 0.55.
  const train = { genuine: [0.9, 0.5], impostor: [0.6, 0.1] };
  const r = tenFoldAccuracy(folds([{ genuine: [0.8], impostor: [0.55] }, train, train]));
  assert.equal(r.folds[0].threshold, 0.6 + (0.9 - 0.6) / 2);
  assert.equal(r.folds[0].accuracy, 1);
  assert.equal(r.folds[0].trainAccuracy, 0.75);
});

test('10-fold: an accept-all or reject-all best threshold stays at its candidate (no midpoint with infinity)', () => {
  // Training (folds 1, 2) holds only genuine 0.5 and impostor 0.5 tied, so nothing separates them:
  //   +Inf → 2/4 (rejects all), 0.5 → 2/4 (accepts all): tie, the highest is +Inf.
  const tied = { genuine: [0.5], impostor: [0.5] };
  const r = tenFoldAccuracy(folds([{ genuine: [0.9], impostor: [0.1] }, tied, tied]));
  assert.equal(r.folds[0].threshold, Infinity);
  assert.equal(r.folds[0].accuracy, 0.5);
});

test('k-fold accepts any integer labels and refuses malformed or degenerate input', () => {
  const r = tenFoldAccuracy({ score: [0.9, 0.1, 0.8, 0.2], same: [1, 0, 1, 0], fold: [7, 7, 3, 3] });
  assert.deepEqual(r.folds.map((f) => [f.fold, f.accuracy, f.pairs]), [[3, 1, 2], [7, 1, 2]]);
  throwsFrw(() => tenFoldAccuracy({ score: [], same: [], fold: [] }), 'EMPTY_INPUT');
  throwsFrw(() => tenFoldAccuracy({ score: [0.9, 0.1], same: [1, 0], fold: [0, 0] }), 'BAD_INPUT', /at least two folds/);
  throwsFrw(() => tenFoldAccuracy({ score: [0.9], same: [1, 0], fold: [0, 1] }), 'BAD_INPUT', /one length/);
  throwsFrw(() => tenFoldAccuracy({ score: [0.9, 0.1], same: [2, 0], fold: [0, 1] }), 'BAD_INPUT', /same/);
  throwsFrw(() => tenFoldAccuracy({ score: [0.9, 0.1], same: [1, 0], fold: [0, 0.5] }), 'BAD_INPUT', /fold/);
  // Fold 1 holds the only impostor: training for it has none.
  throwsFrw(() => tenFoldAccuracy({ score: [0.9, 0.8, 0.1], same: [1, 1, 0], fold: [0, 1, 1] }), 'EMPTY_INPUT', /fold 1: the other folds hold no impostor/);
});

import { test } from 'vitest';
import assert from 'node:assert/strict';
import { thresholdTransfer } from '../../experiments/threshold-transfer.js';
import { clopperPearson } from '../../experiments/metrics/index.js';
import type { FrwError } from '../../core/errors.js';

// Hand-worked, two folds. Fold 0: genuine {0.9, 0.5}, impostor {0.6, 0.1}. Fold 1: genuine {0.8, 0.3}, impostor {0.4, 0.2}.
const pairs = {
  score: [0.9, 0.5, 0.6, 0.1, 0.8, 0.3, 0.4, 0.2],
  same: [1, 1, 0, 0, 1, 1, 0, 0],
  fold: [0, 0, 0, 0, 1, 1, 1, 1],
};

test('each fold gets the threshold tuned on the other folds, and the rates that threshold meets on it', () => {
  // FMR <= 0.5 on fold 1 alone (impostors 0.4, 0.2): the lowest candidate with one false match at most is 0.3
  // (impostor 0.4 accepted, FMR 1/2). Applied to fold 0: impostor 0.6 accepted (FMR 1/2), no genuine below 0.3.
  // On fold 0 alone (impostors 0.6, 0.1) it is 0.5; applied to fold 1: no impostor >= 0.5, genuine 0.3 rejected.
  const [f0, f1] = thresholdTransfer(pairs, { kind: 'fmr', target: 0.5 });
  assert.equal(f0.threshold, 0.3);
  assert.deepEqual(f0.heldOut.fmr, clopperPearson(1, 2));
  assert.deepEqual(f0.heldOut.fnmr, clopperPearson(0, 2));
  assert.deepEqual(f0.tuned, { fmr: 0.5, fnmr: 0, impostor: 2, genuine: 2 });
  assert.equal(f1.threshold, 0.5);
  assert.deepEqual([f1.heldOut.fmr.estimate, f1.heldOut.fnmr.estimate], [0, 0.5]);
});

test('one fold, unmeasurable targets and mismatched arrays are refused', () => {
  assert.throws(() => thresholdTransfer({ ...pairs, fold: pairs.fold.map(() => 0) }, { kind: 'eer' }), (e: FrwError) => e.code === 'BAD_INPUT' && /two folds/.test(e.message));
  assert.throws(() => thresholdTransfer(pairs, { kind: 'fmr', target: 0.1 }), (e: FrwError) => e.code === 'NOT_MEASURABLE');
  assert.throws(() => thresholdTransfer({ ...pairs, same: [1] }, { kind: 'eer' }), (e: FrwError) => e.code === 'BAD_INPUT');
});

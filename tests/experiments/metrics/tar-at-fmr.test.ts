import { test } from 'vitest';
import assert from 'node:assert/strict';
import { maxFalseMatches, tarAtFmr } from '../../../experiments/metrics/tar-at-fmr.js';
import { rocCurve } from '../../../experiments/metrics/roc.js';
import { sortScores } from '../../../experiments/metrics/sorted.js';
import { scoreSets, throwsFrw } from './helpers.js';

// genuine {0.95, 0.9, 0.8, 0.4} (N_g = 4); ten impostors, the highest at 0.8, tied with a genuine score.
const genuine = [0.95, 0.9, 0.8, 0.4];
const impostor = [0.8, 0.5, 0.4, 0.35, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05];

test('TAR@FMR by hand: the impostor tied at the threshold counts as a false match', () => {
  const [p] = tarAtFmr(genuine, impostor, [0.1]);
  // f = 0.1 allows f·N = 1 false match. FMR(t) <= 0.1 needs t above the 2nd-highest impostor (0.5).
  // Candidates above 0.5: 0.8, 0.9, 0.95, +Inf; the lowest is 0.8, where the impostor 0.8 is accepted
  // (s >= t): FMR(0.8) = 1/10 = 0.1 <= 0.1. TAR(0.8) = #{0.95, 0.9, 0.8}/4 = 0.75.
  // (Counting that impostor as a true reject would give FMR(0.5) = 1/10 and pick t = 0.5 instead.)
  assert.deepEqual(p, { targetFmr: 0.1, measurable: true, threshold: 0.8, tar: 0.75, achievedFmr: 0.1, falseMatches: 1, smallestMeasurableFmr: 0.1 });
});

test('TAR@FMR by hand: the lowest qualifying candidate, not merely an impostor score', () => {
  const [p2, p1] = tarAtFmr(genuine, impostor, [0.2, 1]);
  // f = 0.2 allows 2 false matches: t must exceed the 3rd-highest impostor, 0.4. The genuine 0.4 is not above
  // it; the next candidate is the impostor 0.5: FMR(0.5) = #{0.8, 0.5}/10 = 0.2, TAR = 3/4.
  assert.deepEqual([p2.threshold, p2.tar, p2.achievedFmr], [0.5, 0.75, 0.2]);
  // f = 1: every candidate qualifies and the lowest is -Infinity (accept all): TAR 1, FMR 1.
  assert.deepEqual([p1.threshold, p1.tar, p1.achievedFmr], [-Infinity, 1, 1]);
});

test('TAR@FMR: a target below 1/N_impostor is not measurable and says which FMR is', () => {
  const [p, zero] = tarAtFmr(genuine, impostor, [0.05, 0]);
  // f·N = 0.05 · 10 = 0.5 < 1: not even one false match can be allowed; smallest measurable = 1/10.
  assert.deepEqual(p, { targetFmr: 0.05, measurable: false, threshold: null, tar: null, achievedFmr: null, falseMatches: null, smallestMeasurableFmr: 0.1 });
  assert.equal(zero.measurable, false);
});

test('TAR@FMR counts allowed false matches as the FMR is reported (k/N <= f), not by floor(f·N)', () => {
  // 0.57 · 100 = 56.99999999999999 in doubles, but an FMR of 57/100 (== 0.57) meets a 0.57 target.
  assert.equal(maxFalseMatches(0.57, 100), 57);
  assert.equal(maxFalseMatches(0.0999, 10), 0);
  assert.equal(maxFalseMatches(1, 10), 10);
  const imp = Array.from({ length: 100 }, (_, i) => i / 100); // 0.00 .. 0.99
  const [p] = tarAtFmr([2], imp, [0.57]);
  assert.equal(p.achievedFmr, 0.57);
  assert.equal(p.threshold, 0.43); // #{imp >= 0.43} = 57
});

test('TAR@FMR equals the brute-force rule over the ROC on the reference score sets', () => {
  const targets = [1e-4, 1e-3, 3e-3, 0.01, 0.05, 0.1, 0.25, 0.5, 0.9];
  for (const set of scoreSets()) {
    const s = sortScores(set.genuine, set.impostor);
    const roc = rocCurve(s);
    const got = tarAtFmr(s, targets);
    targets.forEach((f, n) => {
      const p = got[n];
      if (f * set.impostor.length < 1) {
        assert.equal(p.measurable, false, `${set.name} f=${f}`);
        return;
      }
      // ROC thresholds descend and FMR rises along them: the lowest t with FMR <= f is the last such point.
      let k = 0;
      while (k + 1 < roc.fmr.length && roc.fmr[k + 1] <= f) k++;
      assert.equal(p.measurable, true);
      assert.deepEqual([p.threshold, p.tar, p.achievedFmr], [roc.threshold[k], roc.tar[k], roc.fmr[k]], `${set.name} f=${f}`);
      assert.equal(p.smallestMeasurableFmr, 1 / set.impostor.length);
    });
  }
});

test('TAR@FMR refuses bad targets and empty or one-class scores', () => {
  throwsFrw(() => tarAtFmr(genuine, impostor, [1.5]), 'BAD_INPUT', /target FMR/);
  throwsFrw(() => tarAtFmr(genuine, impostor, [NaN]), 'BAD_INPUT');
  throwsFrw(() => tarAtFmr([], [], [0.1]), 'EMPTY_INPUT');
  throwsFrw(() => tarAtFmr(genuine, [], [0.1]), 'EMPTY_INPUT', /no impostor/);
});

import { test } from 'vitest';
import assert from 'node:assert/strict';
import { eer } from '../../../experiments/metrics/eer.js';
import { rocCurve } from '../../../experiments/metrics/roc.js';
import { sortScores } from '../../../experiments/metrics/sorted.js';
import type { EerResult } from '../../../experiments/metrics/types.js';
import { scoreSets, throwsFrw } from './helpers.js';

const bounds = (e: EerResult) => ({ lower: e.lower, upper: e.upper, estimate: e.estimate, threshold: e.threshold });

test('EER by hand, ties at 0.6 cross together; FVC2000 takes the t1 bound', () => {
  // genuine {0.9, 0.8, 0.6, 0.6} (N_g = 4), impostor {0.7, 0.6, 0.3, 0.2, 0.1} (N_i = 5).
  //   t = 0.7: FMR = #{imp >= 0.7}/5 = 1/5 = 0.2,  FNMR = #{gen < 0.7}/4 = 2/4 = 0.5   → FNMR >= FMR
  //   t = 0.6: FMR = #{0.7, 0.6}/5 = 0.4 (the impostor AT 0.6 is a false match),
  //            FNMR = 0/4 = 0 (both genuine 0.6 accepted)                             → FNMR <= FMR
  // t1 = 0.6 (highest with FNMR <= FMR), t2 = 0.7 (lowest with FNMR >= FMR).
  // FNMR(t1) + FMR(t1) = 0 + 0.4 = 0.4 <= FMR(t2) + FNMR(t2) = 0.2 + 0.5 = 0.7, so [lower, upper] =
  // [FNMR(t1), FMR(t1)] = [0, 0.4], estimate 0.2, threshold 0.6.
  const e = eer([0.9, 0.8, 0.6, 0.6], [0.7, 0.6, 0.3, 0.2, 0.1]);
  assert.deepEqual(bounds(e), { lower: 0, upper: 0.4, estimate: 0.2, threshold: 0.6 });
  assert.deepEqual(e.t1, { threshold: 0.6, fmr: 0.4, fnmr: 0 });
  assert.deepEqual(e.t2, { threshold: 0.7, fmr: 0.2, fnmr: 0.5 });
  assert.equal(e.method, 'FVC2000 interval');
});

test('EER by hand: a block of tied impostors makes FVC2000 take the t2 bound', () => {
  // genuine {0.9, 0.8, 0.5, 0.4}, impostor {0.6, 0.6, 0.6, 0.1} (N = 4 each).
  //   t = 0.8: FMR = 0/4 = 0,   FNMR = #{0.5, 0.4}/4 = 0.5   → FNMR >= FMR: t2 = 0.8
  //   t = 0.6: FMR = 3/4 = 0.75 (three tied impostors at once), FNMR = 0.5 → FNMR <= FMR: t1 = 0.6
  // Sums: t1 → 0.5 + 0.75 = 1.25 > t2 → 0 + 0.5 = 0.5, so [lower, upper] = [FMR(t2), FNMR(t2)] = [0, 0.5].
  const e = eer([0.9, 0.8, 0.5, 0.4], [0.6, 0.6, 0.6, 0.1]);
  assert.deepEqual(bounds(e), { lower: 0, upper: 0.5, estimate: 0.25, threshold: 0.8 });
  assert.equal(e.t1.threshold, 0.6);
  assert.equal(e.t2.threshold, 0.8);
});

test('EER by hand: rates exactly equal at one threshold give t1 = t2 and a zero-width interval', () => {
  // genuine {0.9, 0.7, 0.6, 0.5}, impostor {0.65, 0.3, 0.2, 0.1}: at t = 0.6, FMR = 1/4 (0.65) and
  // FNMR = 1/4 (0.5): both conditions hold there, so t1 = t2 = 0.6 and the interval is [0.25, 0.25].
  const e = eer([0.9, 0.7, 0.6, 0.5], [0.65, 0.3, 0.2, 0.1]);
  assert.deepEqual(bounds(e), { lower: 0.25, upper: 0.25, estimate: 0.25, threshold: 0.6 });
  assert.equal(e.t1.threshold, e.t2.threshold);
});

test('EER edge cases: separable scores give 0; all scores tied give [0, 1]', () => {
  // Separable: at t = 0.9 (the lowest genuine) FMR = 0 and FNMR = 0.
  assert.deepEqual(bounds(eer([0.9, 1], [0.1, 0.2])), { lower: 0, upper: 0, estimate: 0, threshold: 0.9 });
  // One value everywhere: t = 0.5 accepts all (FMR 1, FNMR 0), t = +Inf rejects all (FMR 0, FNMR 1); equal sums
  // (1 = 1) keep the t1 side: [FNMR, FMR](0.5) = [0, 1].
  assert.deepEqual(bounds(eer([0.5, 0.5], [0.5])), { lower: 0, upper: 1, estimate: 0.5, threshold: 0.5 });
});

test('EER equals a brute-force FVC2000 sweep over the ROC on the reference score sets', () => {
  for (const set of scoreSets()) {
    const s = sortScores(set.genuine, set.impostor);
    const roc = rocCurve(s);
    // The ROC runs from +Inf down; FNMR falls and FMR rises along it. t1: first point (highest t) with
    // FNMR <= FMR; t2: last point before that region ends with FNMR >= FMR.
    let i1 = -1;
    let i2 = -1;
    for (let k = 0; k < roc.threshold.length; k++) {
      if (i1 < 0 && roc.fnmr[k] <= roc.fmr[k]) i1 = k;
      if (roc.fnmr[k] >= roc.fmr[k]) i2 = k;
    }
    const useT1 = roc.fnmr[i1] + roc.fmr[i1] <= roc.fmr[i2] + roc.fnmr[i2];
    const e = eer(s);
    assert.equal(e.t1.threshold, roc.threshold[i1], `${set.name}: t1`);
    assert.equal(e.t2.threshold, roc.threshold[i2], `${set.name}: t2`);
    assert.equal(e.lower, useT1 ? roc.fnmr[i1] : roc.fmr[i2], `${set.name}: lower`);
    assert.equal(e.upper, useT1 ? roc.fmr[i1] : roc.fnmr[i2], `${set.name}: upper`);
    assert.ok(e.lower <= e.estimate && e.estimate <= e.upper);
  }
});

test('EER refuses empty and one-class input', () => {
  throwsFrw(() => eer([], []), 'EMPTY_INPUT');
  throwsFrw(() => eer([0.3], []), 'EMPTY_INPUT', /no impostor/);
  throwsFrw(() => eer([], [0.3]), 'EMPTY_INPUT', /no genuine/);
});

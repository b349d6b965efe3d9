import { test } from 'vitest';
import assert from 'node:assert/strict';
import { auc, detCurve, rocCurve } from '../../../experiments/metrics/roc.js';
import { probit } from '../../../experiments/metrics/probit.js';
import { sortScores } from '../../../experiments/metrics/sorted.js';
import { close, closeRel, python, requireReference, scoreSets, throwsFrw } from './helpers.js';

test('ROC points and AUC equal scikit-learn roc_curve(drop_intermediate=False) and roc_auc_score', () => {
  requireReference(['sklearn']);
  for (const set of scoreSets()) {
    const y = new Float64Array(set.genuine.length + set.impostor.length);
    y.fill(1, 0, set.genuine.length);
    const s = new Float64Array(y.length);
    s.set(set.genuine);
    s.set(set.impostor, set.genuine.length);
    const ref = python(
      `from sklearn.metrics import roc_curve, roc_auc_score
fpr, tpr, thr = roc_curve(inp['y'], inp['s'], drop_intermediate=False)
out['fpr'], out['tpr'], out['thr'] = fpr, tpr, thr
out['auc'] = [roc_auc_score(inp['y'], inp['s'])]`,
      { y, s },
    );
    const roc = rocCurve(set.genuine, set.impostor);
    const m = ref.thr.length;
    // sklearn's first point is "nothing accepted" at a threshold above every score (+inf since 1.3, max+1
    // before); ours is +Infinity. We add one final point at -Infinity (accept all) that sklearn leaves out.
    assert.equal(roc.threshold.length, m + 1, `${set.name}: point count`);
    assert.equal(roc.threshold[0], Infinity);
    assert.ok(ref.thr[0] > set.genuine.reduce((a, b) => Math.max(a, b)), `${set.name}: sklearn's first threshold is above all scores`);
    for (let i = 0; i < m; i++) {
      // === rather than Object.is: sklearn may report -0 where we store +0 (the same threshold).
      if (i > 0) assert.ok(roc.threshold[i] === ref.thr[i], `${set.name}: threshold #${i}: ${roc.threshold[i]} vs ${ref.thr[i]}`);
      close(roc.fmr[i], ref.fpr[i], 1e-12, `${set.name}: FMR #${i}`);
      close(roc.tar[i], ref.tpr[i], 1e-12, `${set.name}: TAR #${i}`);
      close(roc.fnmr[i], 1 - ref.tpr[i], 1e-12, `${set.name}: FNMR #${i}`);
    }
    assert.deepEqual([roc.threshold[m], roc.fmr[m], roc.tar[m], roc.fnmr[m]], [-Infinity, 1, 1, 0]);
    close(auc(set.genuine, set.impostor), ref.auc[0], 1e-12, `${set.name}: AUC`);
  }
});

test('AUC by hand: ties count one half (Mann-Whitney)', () => {
  // genuine {0.9, 0.5}, impostor {0.5, 0.1}; the four (g, i) comparisons:
  //   0.9 > 0.5 → 1,  0.9 > 0.1 → 1,  0.5 = 0.5 → 1/2,  0.5 > 0.1 → 1;  AUC = 3.5 / 4 = 0.875.
  assert.equal(auc([0.9, 0.5], [0.5, 0.1]), 0.875);
  // All tied: every comparison counts 1/2.
  assert.equal(auc([0.3, 0.3], [0.3, 0.3, 0.3]), 0.5);
  // Separable and inverted.
  assert.equal(auc([2, 3], [0, 1]), 1);
  assert.equal(auc([0, 1], [2, 3]), 0);
  // Same result from SortedScores as from the raw arrays.
  const s = sortScores([0.2, 0.8, 0.5], [0.5, 0.1, 0.7]);
  assert.equal(auc(s), auc([0.2, 0.8, 0.5], [0.5, 0.1, 0.7]));
});

test('ROC by hand: a genuine and an impostor tied at 0.6 move the curve in one diagonal step', () => {
  const roc = rocCurve([0.9, 0.6], [0.6, 0.2]);
  // t = +Inf: nothing accepted; 0.9: one genuine; 0.6: second genuine AND first impostor together;
  // 0.2: second impostor; -Inf: everything.
  assert.deepEqual([...roc.threshold], [Infinity, 0.9, 0.6, 0.2, -Infinity]);
  assert.deepEqual([...roc.fmr], [0, 0, 0.5, 1, 1]);
  assert.deepEqual([...roc.tar], [0, 0.5, 1, 1, 1]);
  assert.deepEqual([...roc.fnmr], [1, 0.5, 0, 0, 0]);
});

test('probit equals scipy.stats.norm.ppf to 1e-12 (relative) from 1e-300 to 1 - 1e-16', () => {
  requireReference(['scipy']);
  const ps = [1e-300, 1e-100, 1e-20, 1e-10, 1e-7, 3e-5, 0.001, 0.02425, 0.05, 0.075, 0.0749, 0.1, 0.3, 0.5, 0.575, 0.7, 0.925, 0.97575, 0.999, 1 - 1e-9, 1 - 1e-16];
  for (let k = 1; k < 200; k++) ps.push(k / 200);
  const p = Float64Array.from(ps);
  const ref = python(`from scipy.stats import norm\nout['z'] = norm.ppf(inp['p'])`, { p });
  ps.forEach((x, i) => closeRel(probit(x), ref.z[i], 1e-12, `probit(${x})`));
  assert.equal(probit(0.5), 0);
  assert.equal(probit(0), -Infinity);
  assert.equal(probit(1), Infinity);
  throwsFrw(() => probit(-0.1), 'BAD_INPUT');
  throwsFrw(() => probit(NaN), 'BAD_INPUT');
});

test('DET: probit of FMR and FNMR, aligned with the ROC thresholds, rates 0 and 1 as ∓Infinity', () => {
  const { genuine, impostor } = scoreSets()[1];
  const roc = rocCurve(genuine, impostor);
  const det = detCurve(genuine, impostor);
  assert.deepEqual([...det.threshold], [...roc.threshold]);
  for (let k = 0; k < roc.fmr.length; k++) {
    assert.equal(det.probitFmr[k], probit(roc.fmr[k]));
    assert.equal(det.probitFnmr[k], probit(roc.fnmr[k]));
  }
  // At +Inf: FMR 0 → -Inf, FNMR 1 → +Inf; at -Inf the reverse.
  assert.deepEqual([det.probitFmr[0], det.probitFnmr[0]], [-Infinity, Infinity]);
  const last = roc.fmr.length - 1;
  assert.deepEqual([det.probitFmr[last], det.probitFnmr[last]], [Infinity, -Infinity]);
});

test('ROC, AUC and DET refuse empty and one-class input with typed errors', () => {
  throwsFrw(() => rocCurve([], []), 'EMPTY_INPUT', /both/);
  throwsFrw(() => auc([0.5], []), 'EMPTY_INPUT', /no impostor/);
  throwsFrw(() => detCurve([], [0.1]), 'EMPTY_INPUT', /no genuine/);
  throwsFrw(() => auc([0.5, NaN], [0.1]), 'BAD_INPUT', /genuine score #1 is NaN/);
});

import { test } from 'vitest';
import assert from 'node:assert/strict';
import { backing, clopperPearsonUpper, maxErrorsWithin, trialsToBack } from '../../../experiments/metrics/backing.js';
import { chooseThreshold } from '../../../experiments/metrics/thresholds.js';
import { closeRel, countsAtLevels, python, requireReference, throwsFrw } from './helpers.js';

const CASES: Array<[number, number]> = [[0, 1], [0, 100], [1, 100], [2, 100], [0, 3000], [3, 3000], [200, 200_000], [0, 87_500_000], [9, 87_500_000], [5, 10], [10, 10]];
const LEVELS = [0.9, 0.95, 0.99];

test('the one-sided upper bound equals scipy.stats.beta.ppf(level, k+1, n-k) to 1e-9 relative', () => {
  requireReference(['scipy']);
  const { k, n, level } = countsAtLevels(CASES, LEVELS);
  const ref = python(`from scipy.stats import beta
k, n, lv = inp['k'], inp['n'], inp['level']
out['upper'] = np.where(k == n, 1.0, beta.ppf(lv, k + 1, np.maximum(n - k, 1)))`, { k, n, level });
  for (let j = 0; j < k.length; j++) {
    const b = clopperPearsonUpper(k[j], n[j], level[j]);
    closeRel(b.upper, ref.upper[j], 1e-9, `k=${k[j]} n=${n[j]} level=${level[j]}`);
    assert.deepEqual([b.lower, b.sided, b.estimate], [0, 'upper', k[j] / n[j]]);
  }
});

test('zero errors: the rule of three, and the trials a target needs at 90, 95 and 99% (hand-worked)', () => {
  // 1 - (1 - γ)^(1/n) <= f  ⇔  n >= ln(1 - γ) / ln(1 - f); metrics.md: about 3/f at 95%.
  assert.equal(trialsToBack(1e-4, 0.95), 29_956);
  assert.equal(trialsToBack(1e-5, 0.95), 299_572);
  assert.equal(trialsToBack(1e-3, 0.9), 2_302);
  assert.equal(trialsToBack(1e-3, 0.99), 4_603);
  closeRel(clopperPearsonUpper(0, 3000).upper, 1 - 0.05 ** (1 / 3000), 1e-12, 'rule of three at n = 3000');
  // LFW 10-fold's 3,000 impostors: FMR <= 1e-3 is measurable with up to 3 false matches, backed only with none.
  assert.equal(backing(0, 3000, 1e-3).backed, true);
  assert.equal(backing(1, 3000, 1e-3).backed, false);
  assert.equal(backing(3, 3000, 1e-3).trialsNeeded, 2_995);
  assert.equal(backing(0, 30_000, 1e-4).backed, true);
  throwsFrw(() => trialsToBack(0), 'BAD_INPUT');
  throwsFrw(() => clopperPearsonUpper(0, 0), 'EMPTY_INPUT');
});

test('the budget allowance: the most errors whose upper bound stays within the target', () => {
  // n = 100, f = 0.05, 95%: upper(0) = 0.0295, upper(1) = 0.0466, upper(2) = 0.0616 (scipy beta.ppf).
  assert.equal(maxErrorsWithin(0.05, 100), 1);
  assert.equal(maxErrorsWithin(0.01, 100), -1, 'even no error cannot back 1% on 100 trials');
  for (const [f, n, lv] of [[1e-3, 200_000, 0.95], [1e-5, 87_500_000, 0.95], [1e-2, 6000, 0.99], [0.3, 50, 0.9]] as const) {
    const k = maxErrorsWithin(f, n, lv);
    assert.ok(k >= 0 && clopperPearsonUpper(k, n, lv).upper <= f, `within at k = ${k}`);
    assert.ok(clopperPearsonUpper(k + 1, n, lv).upper > f, `beyond at k + 1 = ${k + 1}`);
  }
});

test('the fmr-bound rule puts the threshold where the upper bound, not the estimate, meets the budget', () => {
  // 100 impostors at 0.00, 0.01, …, 0.99 and genuine scores above: FMR <= 5% allows 5 false matches (t = 0.95),
  // the 95% budget only 1 (t = 0.99), since 2 of 100 has an upper bound of 6.16%.
  const impostor = Array.from({ length: 100 }, (_, i) => i / 100);
  const genuine = [0.5, 0.9, 0.96, 0.995, 1];
  const point = chooseThreshold(genuine, impostor, { kind: 'fmr', target: 0.05 });
  const budget = chooseThreshold(genuine, impostor, { kind: 'fmr-bound', target: 0.05 });
  assert.deepEqual([point.threshold.similarity, point.falseMatches], [0.95, 5]);
  assert.ok(point.fmrUpper.upper > 0.05, 'the point rule overshoots the budget at 95%');
  assert.deepEqual([budget.threshold.similarity, budget.falseMatches], [0.99, 1]);
  assert.ok(budget.fmrUpper.upper <= 0.05 && budget.fmrUpper.sided === 'upper');
  assert.match(budget.description, /FMR budget 0.05: the lowest threshold whose one-sided 95% Clopper-Pearson upper bound of FMR is <= 0.05/);
  throwsFrw(() => chooseThreshold(genuine, impostor, { kind: 'fmr-bound', target: 0.01 }), 'NOT_MEASURABLE', /at least 299 impostor comparisons/);
});

import { test } from 'vitest';
import assert from 'node:assert/strict';
import { clopperPearson } from '../../../experiments/metrics/confidence.js';
import { betaQuantile, incompleteBeta } from '../../../experiments/metrics/beta.js';
import { closeRel, countsAtLevels, python, requireReference, throwsFrw } from './helpers.js';

// (k, n) from tiny samples to 10^7 impostor comparisons, at three levels.
const CASES: Array<[number, number]> = [
  [0, 1], [0, 1000], [0, 10_000_000], [1000, 1000], [1, 1], [1, 2], [1, 10], [5, 10], [9, 10], [3, 1000], [500, 1000], [999, 1000], [17, 20000],
  [1, 100000], [250, 6000], [1, 10_000_000], [12345, 10_000_000], [5_000_000, 10_000_000], [9_999_990, 10_000_000],
];
const LEVELS = [0.95, 0.99, 0.6827];

test('Clopper-Pearson equals scipy.stats.beta.ppf (the standard formula) to 1e-9 relative', () => {
  requireReference(['scipy']);
  const { k, n, level } = countsAtLevels(CASES, LEVELS);
  const ref = python(
    `from scipy.stats import beta
k, n, a = inp['k'], inp['n'], 1 - inp['level']
out['lower'] = np.where(k == 0, 0.0, beta.ppf(a / 2, k, n - k + 1))
out['upper'] = np.where(k == n, 1.0, beta.ppf(1 - a / 2, k + 1, n - k))`,
    { k, n, level },
  );
  for (let j = 0; j < k.length; j++) {
    const ci = clopperPearson(k[j], n[j], level[j]);
    const what = `k=${k[j]} n=${n[j]} level=${level[j]}`;
    closeRel(ci.lower, ref.lower[j], 1e-9, `${what} lower`);
    closeRel(ci.upper, ref.upper[j], 1e-9, `${what} upper`);
    assert.equal(ci.estimate, k[j] / n[j]);
    assert.ok(ci.lower <= ci.estimate && ci.estimate <= ci.upper, what);
  }
});

test('Clopper-Pearson with 0 errors in N: upper = 1 - 0.025^(1/N) at 95% (about 3.69/N), lower = 0', () => {
  for (const N of [1, 10, 1000, 30000, 10_000_000]) {
    const ci = clopperPearson(0, N);
    assert.equal(ci.lower, 0);
    // Evaluated literally in doubles, 1 - 0.025^(1/N) cancels: its relative error is about 2e-16 / upper
    // (the implementation uses expm1; the scipy test above checks N = 10^7 to 1e-9).
    const literal = 1 - Math.pow(0.025, 1 / N);
    closeRel(ci.upper, literal, 1e-14 + 4e-16 / literal, `N=${N}`);
    assert.deepEqual([ci.estimate, ci.level, ci.method], [0, 0.95, 'Clopper-Pearson exact']);
  }
  // 3.69/N for large N: the two-sided interval; the "rule of three" 3/N is the one-sided 95% bound.
  closeRel(clopperPearson(0, 30000).upper * 30000, -Math.log(0.025), 1e-4);
  // All successes mirror it: lower = 0.025^(1/N), upper = 1.
  const all = clopperPearson(1000, 1000);
  closeRel(all.lower, Math.pow(0.025, 1 / 1000), 1e-12);
  assert.equal(all.upper, 1);
});

test('regularized incomplete beta equals scipy.stats.beta.cdf/sf (Boost), including a + b ~ 1e7', () => {
  requireReference(['scipy']);
  // Not scipy.special.betainc: in scipy 1.10 it is Cephes, off by ~1e-8 relative at a + b ~ 1e7 (see below).
  const rows: Array<[number, number, number]> = [
    [0.5, 2, 3], [0.1, 0.5, 0.5], [0.9, 0.5, 5], [0.3, 10, 20], [0.001, 1, 1000], [0.5, 200, 200], [0.25, 1e-3, 2],
    [1.2e-3, 12345, 9987656], [1.25e-3, 12346, 9987655], [0.4999, 5e5, 5e5 + 1], [3e-7, 1, 1e7], [0.99, 999, 2],
  ];
  const x = Float64Array.from(rows, (r) => r[0]);
  const a = Float64Array.from(rows, (r) => r[1]);
  const b = Float64Array.from(rows, (r) => r[2]);
  const ref = python(`from scipy.stats import beta\nout['i'] = beta.cdf(inp['x'], inp['a'], inp['b'])\nout['c'] = beta.sf(inp['x'], inp['a'], inp['b'])`, { x, a, b });
  rows.forEach(([xx, aa, bb], j) => {
    const t = incompleteBeta(xx, aa, bb);
    closeRel(t.lower, ref.i[j], 1e-11, `I_${xx}(${aa}, ${bb})`);
    closeRel(t.upper, ref.c[j], 1e-11, `1 - I_${xx}(${aa}, ${bb})`);
  });
  // 40-digit references: for integer a, b, I_x(a, b) = P(Binomial(a+b-1, x) >= a), summed term by term in
  // mpmath at 40 digits. Boost is within 2e-12 of the first two, Cephes' betainc 9e-9 off the first; at
  // a = b = 5e6 Boost is 5e-10 off (hence not in the scipy rows) and we are within 2e-12.
  closeRel(incompleteBeta(1.2e-3, 12345, 9987656).lower, 0.00086402936417081793021, 1e-13, 'I(12345, 9987656)');
  closeRel(incompleteBeta(1.25e-3, 12346, 9987655).lower, 0.91683962489906240403, 1e-13, 'I(12346, 9987655)');
  closeRel(incompleteBeta(0.49999, 5e6, 5e6 + 1).lower, 0.4749113907643783553661031, 1e-11, 'I(5e6, 5e6 + 1)');
  // The quantile inverts it.
  for (const [p, aa, bb] of [[0.025, 3, 998], [0.975, 4, 997], [0.5, 0.5, 0.5], [1e-6, 2, 3]]) {
    closeRel(incompleteBeta(betaQuantile(p, aa, bb), aa, bb).lower, p, 1e-12, `quantile(${p}; ${aa}, ${bb})`);
  }
});

test('Clopper-Pearson refuses impossible counts and levels with typed errors', () => {
  throwsFrw(() => clopperPearson(0, 0), 'EMPTY_INPUT', /no trials/);
  throwsFrw(() => clopperPearson(5, 3), 'BAD_INPUT', /successes/);
  throwsFrw(() => clopperPearson(-1, 3), 'BAD_INPUT');
  throwsFrw(() => clopperPearson(1.5, 3), 'BAD_INPUT');
  throwsFrw(() => clopperPearson(1, 3, 1), 'BAD_INPUT', /level/);
  throwsFrw(() => clopperPearson(1, 3, 0), 'BAD_INPUT', /level/);
});

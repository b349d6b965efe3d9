import { test } from 'vitest';
import assert from 'node:assert/strict';
import { binomialTestHalf, mcnemarTest, type PairedComparisons } from '../../../experiments/metrics/mcnemar.js';
import { closeRel, generator, python, requireReference, throwsFrw } from './helpers.js';

const fill = (n: number, t: number) => new Float64Array(n).fill(t);
const paired = (scoreA: number[], scoreB: number[], tA: number, tB: number): PairedComparisons => ({ scoreA, scoreB, thresholdA: fill(scoreA.length, tA), thresholdB: fill(scoreB.length, tB) });

test('the exact binomial p-value at 1/2 equals scipy.stats.binomtest(k, n, 0.5) two-sided, far tails included', () => {
  requireReference(['scipy']);
  const cases: Array<[number, number]> = [[0, 1], [1, 1], [0, 2], [1, 2], [2, 5], [3, 10], [5, 10], [6, 10], [0, 37], [12, 37], [18, 37], [19, 37], [40, 100], [50, 100], [61, 100], [3, 1000], [470, 1000], [12000, 25000], [11800, 25000], [1, 60000]];
  const ref = python(`
from scipy.stats import binomtest
out['p'] = [binomtest(int(k), int(n), 0.5, alternative='two-sided').pvalue for k, n in zip(inp['k'], inp['n'])]
`, { k: Float64Array.from(cases, (c) => c[0]), n: Float64Array.from(cases, (c) => c[1]) });
  cases.forEach(([k, n], i) => closeRel(binomialTestHalf(k, n), ref.p[i], 1e-10, `binomtest(${k}, ${n})`));
  assert.equal(binomialTestHalf(0, 0), 1, 'no discordant comparison: no evidence either way');
  throwsFrw(() => binomialTestHalf(5, 4), 'BAD_INPUT', /\[0, 4\]/);
});

test('McNemar by hand: discordant counts, the exact p-value, and which model it backs', () => {
  // Genuine (accept iff s >= t; A at 0.5, B at 0.4): 0.6/0.3 A right B wrong; 0.45/0.4 A wrong B right (tie at
  // 0.4 accepts); 0.7/0.7 both right; 0.2/0.1 both wrong.
  const genuine = paired([0.6, 0.45, 0.7, 0.2], [0.3, 0.4, 0.7, 0.1], 0.5, 0.4);
  // Impostor (reject iff s < t): 0.1/0.42 A right B wrong; 0.5/0.1 A wrong (tie at 0.5 is a false match) B right.
  const impostor = paired([0.1, 0.5, 0.1], [0.42, 0.1, 0.2], 0.5, 0.4);
  const r = mcnemarTest(genuine, impostor);
  assert.deepEqual([r.onlyA, r.onlyB, r.bothCorrect, r.bothWrong, r.comparisons], [2, 2, 2, 1, 7]);
  assert.equal(r.pValue, 1);
  assert.equal(r.better, null, 'two against two: no difference backed by this data');
  assert.equal(r.accuracyDifference, 0);
  // 20 comparisons only A gets right, 2 only B: p = 2·P(X <= 2 | 22, 1/2) = 2·(1 + 22 + 231)/2^22.
  const g = paired([...Array(20).fill(0.9), 0.1, 0.1], [...Array(20).fill(0.1), 0.9, 0.9], 0.5, 0.5);
  const strong = mcnemarTest(g, paired([0], [0], 0.5, 0.5));
  assert.deepEqual([strong.onlyA, strong.onlyB, strong.bothCorrect], [20, 2, 1]);
  closeRel(strong.pValue, (2 * (1 + 22 + 231)) / 2 ** 22, 1e-12);
  assert.equal(strong.better, 'a');
  // The same data at a stricter level than its p-value: not backed.
  assert.equal(mcnemarTest(g, paired([0], [0], 0.5, 0.5), 0.99999).better, null);
});

test('McNemar on seeded scores with per-comparison thresholds equals numpy decisions + scipy.stats.binomtest', () => {
  requireReference(['scipy']);
  const rnd = generator(99);
  const n = 3000;
  const same = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const sA = Float64Array.from(same, (s) => rnd.normal(s ? 0.55 : 0.1, 0.15));
  const sB = Float64Array.from(sA, (x, i) => x + rnd.normal(same[i] ? -0.02 : 0.01, 0.06));
  // One threshold per "fold" of 300 comparisons, as LFW 10-fold decides.
  const tA = Float64Array.from({ length: n }, (_, i) => 0.3 + 0.005 * Math.floor(i / 300));
  const tB = Float64Array.from({ length: n }, (_, i) => 0.31 + 0.004 * Math.floor(i / 300));
  const pick = (a: Float64Array, g: boolean) => a.filter((_, i) => (same[i] === 1) === g);
  const part = (g: boolean): PairedComparisons => ({ scoreA: pick(sA, g), scoreB: pick(sB, g), thresholdA: pick(tA, g), thresholdB: pick(tB, g) });
  const r = mcnemarTest(part(true), part(false));
  const ref = python(`
from scipy.stats import binomtest
g = inp['same'] == 1
okA = np.where(g, inp['sA'] >= inp['tA'], inp['sA'] < inp['tA'])
okB = np.where(g, inp['sB'] >= inp['tB'], inp['sB'] < inp['tB'])
b = int(np.sum(okA & ~okB)); c = int(np.sum(~okA & okB))
out['counts'] = [b, c, int(np.sum(okA & okB)), int(np.sum(~okA & ~okB))]
out['p'] = [binomtest(b, b + c, 0.5).pvalue]
`, { same, sA, sB, tA, tB });
  assert.deepEqual([r.onlyA, r.onlyB, r.bothCorrect, r.bothWrong], Array.from(ref.counts));
  closeRel(r.pValue, ref.p[0], 1e-10);
  assert.ok(r.onlyA + r.onlyB > 50, 'the fixture has discordant comparisons to test');
});

test('McNemar refuses failures to acquire (NaN) and arrays of different lengths', () => {
  throwsFrw(() => mcnemarTest(paired([Number.NaN], [0.5], 0.3, 0.3), paired([0.1], [0.1], 0.3, 0.3)), 'BAD_INPUT', /failure to acquire/);
  throwsFrw(() => mcnemarTest({ scoreA: [0.5, 0.6], scoreB: [0.5], thresholdA: [0.3, 0.3], thresholdB: [0.3] }, paired([], [], 0, 0)), 'BAD_INPUT', /one length/);
  throwsFrw(() => mcnemarTest(paired([], [], 0, 0), paired([], [], 0, 0)), 'EMPTY_INPUT');
});

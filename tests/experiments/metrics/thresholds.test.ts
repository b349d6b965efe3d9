import { test } from 'vitest';
import assert from 'node:assert/strict';
import { chooseThreshold, viewsOf } from '../../../experiments/metrics/thresholds.js';
import { cosineDistanceToSimilarity, l2DistanceToSimilarity, similarityToCosineDistance, similarityToL2Distance } from '../../../experiments/metrics/distance.js';
import { clopperPearson } from '../../../experiments/metrics/confidence.js';
import { sortScores } from '../../../experiments/metrics/sorted.js';
import { throwsFrw } from './helpers.js';

// genuine {0.9, 0.8, 0.7, 0.3} (N_g = 4), impostor {0.75, 0.4, 0.2, 0.1, 0.0} (N_i = 5). Per candidate t:
//   t      TA  FM   FMR   FNMR   accuracy (TA + 5 - FM)/9   J = TAR - FMR
//   0.9    1   0    0     0.75   6/9                        0.25
//   0.8    2   0    0     0.5    7/9                        0.5
//   0.75   2   1    0.2   0.5    6/9                        0.3
//   0.7    3   1    0.2   0.25   7/9                        0.55  ← Youden
//   0.4    3   2    0.4   0.25   6/9                        0.35
//   0.3    4   2    0.4   0      7/9                        0.6   ← Youden max
//   0.2    4   3    0.6   0      6/9                        0.4
const s = sortScores([0.9, 0.8, 0.7, 0.3], [0.75, 0.4, 0.2, 0.1, 0.0]);

test('best accuracy: 7/9 at 0.8, 0.7 and 0.3; the tie rule takes the highest, 0.8', () => {
  const c = chooseThreshold(s, { kind: 'best-accuracy' });
  assert.equal(c.threshold.similarity, 0.8);
  assert.deepEqual([c.falseMatches, c.falseNonMatches, c.genuineCount, c.impostorCount], [0, 2, 4, 5]);
  assert.match(c.description, /ties: the highest threshold/);
});

test("Youden's J is largest (0.6) at 0.3", () => {
  assert.equal(chooseThreshold(s, { kind: 'youden' }).threshold.similarity, 0.3);
});

test('minimum cost: a costly false match pushes the threshold up, a costly miss pulls it down', () => {
  // cost(t) = C_fm·(1-P)·FMR + C_fnm·P·FNMR with P = 0.5. C_fm = 10, C_fnm = 1: 0.9 → 0.375, 0.8 → 0.25 (min),
  // 0.7 → 1.125. C_fm = 1, C_fnm = 10: 0.3 → 0.2 (min: FNMR 0 at FMR 0.4), 0.8 → 2.5.
  assert.equal(chooseThreshold(s, { kind: 'min-cost', costFalseMatch: 10, costFalseNonMatch: 1, priorGenuine: 0.5 }).threshold.similarity, 0.8);
  assert.equal(chooseThreshold(s, { kind: 'min-cost', costFalseMatch: 1, costFalseNonMatch: 10, priorGenuine: 0.5 }).threshold.similarity, 0.3);
  throwsFrw(() => chooseThreshold(s, { kind: 'min-cost', costFalseMatch: -1, costFalseNonMatch: 1, priorGenuine: 0.5 }), 'BAD_INPUT', /costFalseMatch/);
  throwsFrw(() => chooseThreshold(s, { kind: 'min-cost', costFalseMatch: 1, costFalseNonMatch: 1, priorGenuine: 2 }), 'BAD_INPUT', /priorGenuine/);
});

test('FMR and EER rules reuse tarAtFmr and eer; rates carry Clopper-Pearson intervals', () => {
  // FMR <= 0.2 allows 1 false match: the lowest candidate above the 2nd impostor (0.4) is 0.7 (FMR 1/5).
  const f = chooseThreshold([0.9, 0.8, 0.7, 0.3], [0.75, 0.4, 0.2, 0.1, 0.0], { kind: 'fmr', target: 0.2 }, 0.9);
  assert.equal(f.threshold.similarity, 0.7);
  assert.deepEqual(f.fmr, clopperPearson(1, 5, 0.9));
  assert.deepEqual(f.fnmr, clopperPearson(1, 4, 0.9));
  // EER: at 0.7 FNMR 0.25 >= FMR 0.2 (t2); at 0.4 FNMR 0.25 <= FMR 0.4 (t1). Sums 0.65 (t1) > 0.45 (t2) → 0.7.
  assert.equal(chooseThreshold(s, { kind: 'eer' }).threshold.similarity, 0.7);
  throwsFrw(() => chooseThreshold(s, { kind: 'fmr', target: 0.1 }), 'NOT_MEASURABLE', /below 1\/N_impostor = 0.2/);
  throwsFrw(() => chooseThreshold(s, { kind: 'nope' } as never), 'BAD_INPUT', /unknown threshold rule/);
});

test('threshold views: cosine distance 1 - s, L2 distance sqrt(2 - 2s), conversions invert each other', () => {
  assert.deepEqual(viewsOf(0.5), { similarity: 0.5, cosineDistance: 0.5, l2Distance: 1 });
  assert.deepEqual(viewsOf(1), { similarity: 1, cosineDistance: 0, l2Distance: 0 });
  assert.deepEqual(viewsOf(-1), { similarity: -1, cosineDistance: 2, l2Distance: 2 });
  assert.deepEqual(viewsOf(Infinity), { similarity: Infinity, cosineDistance: -Infinity, l2Distance: -Infinity });
  assert.deepEqual(viewsOf(1.0000001), { similarity: 1.0000001, cosineDistance: 1 - 1.0000001, l2Distance: null });
  for (const x of [-1, -0.3, 0, 0.25, 0.6, 0.99, 1]) {
    assert.ok(Math.abs(l2DistanceToSimilarity(similarityToL2Distance(x)) - x) < 1e-15);
    assert.ok(Math.abs(cosineDistanceToSimilarity(similarityToCosineDistance(x)) - x) < 1e-15);
  }
  assert.ok(Math.abs(l2DistanceToSimilarity(Math.SQRT2)) < 1e-15); // SQRT2² rounds to 2 + 4e-16
  throwsFrw(() => similarityToL2Distance(1.5), 'BAD_INPUT', /outside \[-1, 1\]/);
  throwsFrw(() => l2DistanceToSimilarity(-0.1), 'BAD_INPUT');
  throwsFrw(() => similarityToCosineDistance(NaN), 'BAD_INPUT');
});

test('a fixed threshold is reported as set; a score equal to it is accepted (table above, t = 0.75: FM 1, FNM 2)', () => {
  const c = chooseThreshold(s, { kind: 'fixed', threshold: 0.75 });
  assert.equal(c.threshold.similarity, 0.75);
  assert.deepEqual([c.falseMatches, c.falseNonMatches], [1, 2]);
  assert.deepEqual(c.fmr, clopperPearson(1, 5));
  // Between candidates (0.5 lies between impostor 0.4 and genuine 0.7): FM 1 (0.75), FNM 1 (0.3).
  assert.deepEqual([chooseThreshold(s, { kind: 'fixed', threshold: 0.5 }).falseMatches, chooseThreshold(s, { kind: 'fixed', threshold: 0.5 }).falseNonMatches], [1, 1]);
  throwsFrw(() => chooseThreshold(s, { kind: 'fixed', threshold: Number.NaN }), 'BAD_INPUT', /fixed threshold/);
});

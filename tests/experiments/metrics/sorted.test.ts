import { test } from 'vitest';
import assert from 'node:assert/strict';
import { candidateThresholds, countAtLeast, countBelow, isSortedScores, sortScores } from '../../../experiments/metrics/sorted.js';
import { sortFloat64 } from '../../../experiments/metrics/radix-sort.js';
import { errorRatesAt } from '../../../experiments/metrics/rates.js';
import { generator, throwsFrw } from './helpers.js';

test('sortScores copies and sorts both sets ascending as Float64Array, leaving the input alone', () => {
  const genuine = new Float32Array([0.5, 0.25, 0.75]);
  const impostor = [0.3, -0.1, 0.3];
  const s = sortScores(genuine, impostor);
  assert.ok(s.genuine instanceof Float64Array && s.impostor instanceof Float64Array);
  assert.deepEqual([...s.genuine], [0.25, 0.5, 0.75]);
  assert.deepEqual([...s.impostor], [-0.1, 0.3, 0.3]);
  assert.deepEqual([...genuine], [0.5, 0.25, 0.75]);
  assert.ok(isSortedScores(s));
  assert.ok(!isSortedScores({ genuine: s.genuine, impostor: s.impostor }), 'a look-alike object is not trusted as sorted');
  // -0 is stored as +0 so no threshold is reported as -0.
  assert.ok(Object.is(sortScores([-0], [1]).genuine[0], 0));
});

test('sortScores refuses empty, one-class and non-finite input with typed errors', () => {
  throwsFrw(() => sortScores([], []), 'EMPTY_INPUT', /both genuine and impostor sets are empty/);
  throwsFrw(() => sortScores([0.5], []), 'EMPTY_INPUT', /no impostor scores/);
  throwsFrw(() => sortScores([], [0.5]), 'EMPTY_INPUT', /no genuine scores/);
  throwsFrw(() => sortScores([0.5, Infinity], [0.1]), 'BAD_INPUT', /genuine score #1 is Infinity/);
  throwsFrw(() => sortScores([0.5], [NaN]), 'BAD_INPUT', /impostor score #0 is NaN/);
  throwsFrw(() => sortScores(null as never, [0.1]), 'BAD_INPUT');
});

test('the radix sort orders exactly as the native sort (negatives, ±0, subnormals, ties, huge values)', () => {
  const g = generator(3);
  const n = 200_000; // above the radix cut-over
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = g.int(6);
    a[i] = r === 0 ? Math.round(g.normal() * 10) / 10 : r === 1 ? g.normal() * 1e-310 : r === 2 ? g.normal() * 1e300 : g.normal();
  }
  a.set([-0, 0, -Number.MIN_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE, Number.MAX_VALUE], 0);
  const expected = a.slice().sort();
  const got = sortFloat64(a.slice());
  for (let i = 0; i < n; i++) if (!Object.is(got[i], expected[i])) assert.fail(`index ${i}: ${got[i]} vs ${expected[i]}`);
  // Scores in [-1, 1] share exponent bits: the skipped passes must still leave the right order.
  const narrow = Float64Array.from({ length: n }, () => Math.fround(g.uniform()));
  assert.deepEqual(sortFloat64(narrow.slice()), narrow.slice().sort());
});

test('counts by binary search: #{impostor >= t} and #{genuine < t}, ties at t accepted', () => {
  const a = Float64Array.from([0.1, 0.2, 0.2, 0.2, 0.5]);
  assert.deepEqual([countAtLeast(a, 0.2), countBelow(a, 0.2)], [4, 1]);
  assert.deepEqual([countAtLeast(a, Infinity), countBelow(a, Infinity)], [0, 5]);
  assert.deepEqual([countAtLeast(a, -Infinity), countBelow(a, -Infinity)], [5, 0]);
  assert.deepEqual([countAtLeast(a, 0.3), countBelow(a, 0.3)], [1, 4]);
});

test('candidate thresholds: distinct scores of both sets plus ±Infinity, descending', () => {
  assert.deepEqual([...candidateThresholds([0.5, 0.2, 0.5], [0.2, 0.1])], [Infinity, 0.5, 0.2, 0.1, -Infinity]);
  const s = sortScores([1], [1]);
  assert.deepEqual([...candidateThresholds(s)], [Infinity, 1, -Infinity]);
});

test('errorRatesAt by hand: an impostor equal to t is a false match, a genuine equal to t is accepted', () => {
  // genuine {0.9, 0.6, 0.4}, impostor {0.6, 0.3, 0.2, 0.1}; t = 0.6:
  //   false matches = #{impostor >= 0.6} = 1 (the tie) → FMR = 1/4;  false non-matches = #{genuine < 0.6} = 1 → FNMR = 1/3.
  const r = errorRatesAt([0.9, 0.6, 0.4], [0.6, 0.3, 0.2, 0.1], 0.6);
  assert.deepEqual(r, { threshold: 0.6, fmr: 0.25, fnmr: 1 / 3, tar: 2 / 3, falseMatches: 1, falseNonMatches: 1, genuineCount: 3, impostorCount: 4 });
  const s = sortScores([0.9, 0.6, 0.4], [0.6, 0.3, 0.2, 0.1]);
  assert.deepEqual(errorRatesAt(s, 0.6), r, 'SortedScores gives the same answer');
  assert.deepEqual([errorRatesAt(s, Infinity).fmr, errorRatesAt(s, Infinity).tar], [0, 0]);
  assert.deepEqual([errorRatesAt(s, -Infinity).fmr, errorRatesAt(s, -Infinity).tar], [1, 1]);
  throwsFrw(() => errorRatesAt(s, NaN), 'BAD_INPUT', /threshold/);
  throwsFrw(() => errorRatesAt([], [0.1], 0.5), 'EMPTY_INPUT');
});

test('sortFloat32 gives the native order bit for bit on long float32 arrays (radix path): -0 before +0, subnormals, ties, narrow and wide ranges', async () => {
  const { sortFloat32 } = await import('../../../experiments/metrics/radix-sort.js');
  let x = 12345;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const sets: Record<string, Float32Array> = {
    'scores in [-1, 1] with ±0': Float32Array.from({ length: 200_000 }, (_, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? -0 : rand())),
    'one sign, one narrow band (one bucket holds most keys)': Float32Array.from({ length: 150_000 }, () => 0.3 + rand() * 1e-4),
    'subnormals to 3e38': Float32Array.from({ length: 100_000 }, (_, i) => rand() * 10 ** ((i % 83) - 45)),
    'few distinct values': Float32Array.from({ length: 100_000 }, (_, i) => [0.5, -0.25, 0, 1e-40][i % 4]),
    'all equal': new Float32Array(70_000).fill(0.125),
  };
  for (const [what, a] of Object.entries(sets)) {
    const ref = Float32Array.from(a).sort();
    sortFloat32(a);
    let differ = 0;
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], ref[i])) differ++;
    assert.equal(differ, 0, what);
  }
});

test('sortedScoresOf takes sorted float64 arrays as they are, checks them in one pass, stores -0 as +0', async () => {
  const { sortedScoresOf, isSortedScores, auc } = await import('../../../experiments/metrics/index.js');
  const g = Float64Array.from([0.2, 0.5, 0.9]);
  const i = Float64Array.from([-0.3, -0, 0.1]);
  const s = sortedScoresOf(g, i);
  assert.ok(isSortedScores(s));
  assert.equal(s.genuine, g, 'no copy');
  assert.ok(Object.is(s.impostor[1], 0));
  assert.equal(auc(s), 1);
  assert.throws(() => sortedScoresOf(Float64Array.from([0.5, 0.2]), i), /genuine scores are not ascending at #1/);
  assert.throws(() => sortedScoresOf(g, Float64Array.from([0, NaN])), /impostor score #1 is NaN/);
  assert.throws(() => sortedScoresOf(g, new Float64Array(0)), (e: Error & { code?: string }) => e.code === 'EMPTY_INPUT');
});

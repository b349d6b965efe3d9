import { test } from 'vitest';
import assert from 'node:assert/strict';
import { challengeRows, scoreRows, type ChallengeProbe, type RankedRows } from '../../../experiments/identification/challenge.js';
import { decide } from '../../../experiments/identification/policies.js';
import { scoreToL2Distance } from '../../../experiments/metrics/index.js';
import { generator } from '../metrics/helpers.js';

const U = '1000';
const identities = ['a', 'b', 'c', 'd', 'e', 'f'];
const spec = { unknownLabel: U, threshold: null, nameOf: (i: number) => `img${i}.jpg` };

/** Search rows as rankIdentities returns them: identity indices and scores best first, -1 / -Infinity past the end. */
function ranked(rows: Array<Array<[number, number]>>, ranks = 6): RankedRows {
  const identity = new Int32Array(rows.length * ranks).fill(-1);
  const score = new Float32Array(rows.length * ranks).fill(-Infinity);
  rows.forEach((r, q) => r.forEach(([id, s], k) => { identity[q * ranks + k] = id; score[q * ranks + k] = s; }));
  return { identity, score, ranks };
}
const down = (...s: number[]): Array<[number, number]> => s.map((x, k) => [k, x]);

test('threshold rule by hand: the unknown label goes before the first candidate below t', () => {
  // Scores are binary fractions, exact in float32, so "equal to t" is exactly equal. t = 0.5.
  const r = ranked([
    down(0.75, 0.625, 0.375, 0.25, 0.125, 0.0625), // two pass → [a, b, U, c, d]
    down(0.375, 0.25, 0.125, 0.0625, 0.03125), // top-1 below t → unknown first
    down(0.96875, 0.9375, 0.875, 0.75, 0.625, 0.375), // five pass → no unknown label in the five
    down(0.5, 0.25), // exactly t is a match (s >= t): it stays ahead
    [[1, 0.75], [0, 0.25]], // a gallery of two: three labels, no padding invented
  ]);
  const probes: ChallengeProbe[] = [0, 1, 2, 3, 4].map((row) => ({ image: row, truth: 'a', row }));
  probes.push({ image: 9, truth: U, row: -1 }); // no face
  const rows = challengeRows('threshold', r, identities, probes, ['c', 'a', 'e', 'b', 'f'], spec, 0.5);
  assert.deepEqual(rows.map((x) => x.labels), [
    ['a', 'b', U, 'c', 'd'],
    [U, 'a', 'b', 'c', 'd'],
    ['a', 'b', 'c', 'd', 'e'],
    ['a', U, 'b'],
    ['b', U, 'a'],
    [U, 'c', 'a', 'e', 'b'], // no face: unknown first, then the four most-enrolled identities given
  ]);
  assert.deepEqual(rows.map((x) => x.image), ['img0.jpg', 'img1.jpg', 'img2.jpg', 'img3.jpg', 'img4.jpg', 'img9.jpg']);
  // Scored against truth a, a, a, a, a, U: ranks 1, 2, 1, 1, 3, 1 → MAP@5 = (1 + 1/2 + 1 + 1 + 1/3 + 1) / 6.
  const s = scoreRows(rows, probes, U);
  assert.ok(Math.abs(s.map5 - (1 + 1 / 2 + 1 + 1 + 1 / 3 + 1) / 6) < 1e-15);
  // top-1: rows 0, 2, 3 (a) and 5 (U): 4 of 6. Unknown first: rows 1 and 5; truly unknown: row 5 → precision 1/2, recall 1.
  assert.equal(s.top1, 4 / 6);
  assert.deepEqual(s.unknown, { predicted: 2, actual: 1, correct: 1, precision: 0.5, recall: 1 });
});

test('distance-and-probability rule by hand: far but clearly ahead is kept, far and ambiguous is rejected', () => {
  // t = 0.5 → τ = √(2 − 1) = 1; every score below 0.5 is "far".
  assert.equal(scoreToL2Distance(0.5), 1);
  const r = ranked([
    // Far (0.375) but softmax(64·s) of the top-1 = 1 / (1 + e^(−64·0.25) + …) ≈ 1 − 1e-7 > 0.9: kept; the second is
    // far with probability ≈ 1e-7 < 0.9: rejected → [a, U, b, c].
    down(0.375, 0.125, 0.0625),
    // Far and tied with the second (each probability ≈ 1/2 < 0.9): rejected at once → [U, a, b, c].
    down(0.375, 0.375, 0.0625),
    // Near (0.75, 0.625: distance < 1) kept whatever their probability; 0.25 is far and improbable → [a, b, U, c].
    down(0.75, 0.625, 0.25),
  ]);
  const probes: ChallengeProbe[] = [0, 1, 2].map((row) => ({ image: row, truth: U, row }));
  const rows = challengeRows('distance-and-probability', r, identities, probes, [], spec, 0.5);
  assert.deepEqual(rows.map((x) => x.labels), [['a', U, 'b', 'c'], [U, 'a', 'b', 'c'], ['a', 'b', U, 'c']]);
  // The threshold rule on the first: its top-1 is below t, so unknown first.
  assert.deepEqual(challengeRows('threshold', r, identities, probes, [], spec, 0.5)[0].labels, [U, 'a', 'b', 'c']);
});

test('"unknown first" is each rule\'s own open-set decision on the top-1, on random searches', () => {
  const g = generator(3);
  const rows = Array.from({ length: 300 }, () => {
    const s = Array.from({ length: 6 }, () => g.uniform() * 0.9).sort((x, y) => y - x);
    return s.map((x, k): [number, number] => [k, Math.fround(x)]);
  });
  const r = ranked(rows);
  const probes = rows.map((_, row) => ({ image: row, truth: U, row }));
  for (const t of [0.2, 0.45, 0.7]) {
    const thr = challengeRows('threshold', r, identities, probes, [], spec, t);
    const dp = challengeRows('distance-and-probability', r, identities, probes, [], spec, t);
    rows.forEach((_, q) => {
      const scores = r.score.subarray(q * 6, q * 6 + 6);
      assert.equal(thr[q].labels[0] === U, scores[0] < t, `threshold, t = ${t}, probe ${q}`);
      const policy = { kind: 'distance-and-probability' as const, maxDistance: scoreToL2Distance(t), minProbability: 0.9, scale: 64 };
      assert.equal(dp[q].labels[0] === U, decide(scores, policy).accepted === null, `d&p, t = ${t}, probe ${q}`);
      assert.equal(new Set(dp[q].labels).size, 5, 'five distinct labels');
    });
  }
});

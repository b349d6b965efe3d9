import { test } from 'vitest';
import assert from 'node:assert/strict';
import { cmc, rank1Accuracy } from '../../../experiments/metrics/cmc.js';
import { clopperPearson } from '../../../experiments/metrics/confidence.js';
import { openSetRatesAt } from '../../../experiments/metrics/open-set.js';
import { generator, throwsFrw } from './helpers.js';

// Eight mated probes; 0 = the mate is not in the returned list.
const ranks = Int32Array.of(1, 2, 1, 0, 3, 5, 1, 2);

test('rank-1 accuracy by hand, with its Clopper-Pearson interval', () => {
  // Rank 1 for probes #0, #2, #6: 3 of 8 = 0.375.
  const r = rank1Accuracy(ranks);
  assert.deepEqual(r, { estimate: 0.375, hits: 3, probes: 8, interval: clopperPearson(3, 8) });
  assert.deepEqual(rank1Accuracy(ranks, { level: 0.9 }).interval, clopperPearson(3, 8, 0.9));
});

test('CMC by hand: cumulative, 0 and ranks beyond maxRank never count', () => {
  // rank <= 1: 3; <= 2: 3 + 2 = 5; <= 3: 6; <= 4: 6 (no rank 4); <= 5: 7. The 0 (not returned) never counts: 7/8 max.
  const c = cmc(ranks, 5);
  assert.deepEqual([...c.rank], [1, 2, 3, 4, 5]);
  assert.deepEqual([...c.hits], [3, 5, 6, 6, 7]);
  assert.deepEqual([...c.accuracy], [3 / 8, 5 / 8, 6 / 8, 6 / 8, 7 / 8]);
  assert.equal(c.probes, 8);
  // maxRank = 3: the mate at rank 5 is outside the curve.
  assert.deepEqual([...cmc(ranks, 3).accuracy], [3 / 8, 5 / 8, 6 / 8]);
  // Default maxRank = 20: flat at 7/8 from rank 5 on.
  const d = cmc(ranks);
  assert.equal(d.rank.length, 20);
  assert.equal(d.rank[19], 20);
  assert.equal(d.accuracy[19], 7 / 8);
});

test('CMC is non-decreasing and CMC(1) is rank-1 accuracy on random ranks', () => {
  const g = generator(5);
  const r = Int32Array.from({ length: 500 }, () => (g.uniform() < 0.1 ? 0 : 1 + Math.floor(-Math.log(g.uniform()) * 3)));
  const c = cmc(r, 30);
  for (let k = 1; k < c.accuracy.length; k++) assert.ok(c.accuracy[k] >= c.accuracy[k - 1], `rank ${k + 1}`);
  assert.equal(c.accuracy[0], rank1Accuracy(r).estimate);
  assert.ok(c.accuracy[29] < 1, 'probes whose mate was not returned keep the curve below 1');
});

test('rank-1 accuracy equals DIR at t = -Infinity on the same searches (closed set ignores the threshold)', () => {
  // Hits are the rank-1 probes; every other mated probe is a miss at every threshold.
  const hitScores = Float64Array.of(0.2, 0.9, 0.4); // scores of the three rank-1 probes, any values
  const s = { matedHit: hitScores, matedMiss: ranks.length - 3, nonMatedTop1: Float64Array.of(0.5), gallery: { identities: 4, vectors: 4 } };
  assert.equal(openSetRatesAt(s, -Infinity).dir, rank1Accuracy(ranks).estimate);
  // With a threshold, DIR drops below rank-1 accuracy: at t = 0.5 only the 0.9 hit remains, 1/8.
  assert.equal(openSetRatesAt(s, 0.5).dir, 1 / 8);
});

test('empty and malformed ranks throw typed errors', () => {
  throwsFrw(() => rank1Accuracy(new Int32Array(0)), 'EMPTY_INPUT', /no mated probes/);
  throwsFrw(() => cmc([]), 'EMPTY_INPUT');
  throwsFrw(() => cmc([1, -1]), 'BAD_INPUT', /mate rank #1 is -1/);
  throwsFrw(() => cmc([1.5]), 'BAD_INPUT');
  throwsFrw(() => rank1Accuracy([NaN]), 'BAD_INPUT');
  throwsFrw(() => rank1Accuracy([Infinity]), 'BAD_INPUT', /0 when the mate is not returned/);
  throwsFrw(() => cmc(ranks, 0), 'BAD_INPUT', /maxRank/);
  throwsFrw(() => cmc(ranks, 2.5), 'BAD_INPUT', /maxRank/);
  throwsFrw(() => rank1Accuracy(ranks, { level: 1 }), 'BAD_INPUT', /level/);
});

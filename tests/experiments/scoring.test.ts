import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { EmbeddingTable } from '../../pipeline/embedding-table.js';
import { scoreComparisons } from '../../experiments/scoring.js';
import { scoreAllPairs, allPairsCounts } from '../../experiments/all-pairs.js';
import { evaluateScores } from '../../experiments/evaluate.js';
import type { ComparisonSet } from '../../experiments/protocols.js';

/** n unit vectors in 2-D at the given angles (degrees); rows listed in `failed` have no face. */
function table(angles: number[], failed: number[] = []): EmbeddingTable {
  const n = angles.length;
  const vectors = new Float32Array(n * 2);
  angles.forEach((deg, i) => {
    vectors[2 * i] = Math.cos((deg * Math.PI) / 180);
    vectors[2 * i + 1] = Math.sin((deg * Math.PI) / 180);
  });
  const ok = Uint8Array.from(angles, (_, i) => (failed.includes(i) ? 0 : 1));
  return { dim: 2, vectors, ok, failure: angles.map((_, i) => (failed.includes(i) ? 'no-face' : null)), quality: angles.map(() => null), faceCount: new Int32Array(n) };
}

test('pairs touching a failure to acquire are excluded from the scores and counted by kind', () => {
  const t = table([0, 60, 90, 180], [3]);
  const set: ComparisonSet = { protocol: 'pairs', a: Int32Array.from([0, 0, 1, 3, 3]), b: Int32Array.from([1, 2, 2, 0, 1]), same: Uint8Array.from([1, 0, 1, 1, 0]), fold: null, impostorSampling: null };
  const s = scoreComparisons(set, t);
  assert.deepEqual([...s.genuine].map((x) => +x.toFixed(6)), [0.5, 0.866025]); // cos 60°, cos 30°
  assert.deepEqual([...s.impostor].map((x) => +x.toFixed(6)), [0]); // cos 90°
  assert.deepEqual(s.excluded, { genuine: 1, impostor: 1 });
  assert.ok(Number.isNaN(s.score[3]) && Number.isNaN(s.score[4]));
});

test('system-level FRR counts an excluded genuine comparison as a false non-match; algorithm-level does not', () => {
  // 3 genuine scores, 3 impostor, 1 genuine excluded (no face). EER threshold from the scores alone.
  const r = evaluateScores('m', { genuine: [0.9, 0.8, 0.7], impostor: [0.1, 0.2, 0.3] }, { genuine: 1, impostor: 2 }, { bootstrapPairs: null, folds: null }, { fmrTargets: [0.5], rules: [], seed: 1, bootstrap: 0, level: 0.95, view: 'similarity' });
  assert.equal(r.metrics.eer.estimate, 0);
  assert.equal(r.metrics.systemAtEer.frr, 1 / 4, 'the excluded genuine comparison is a reject at system level');
  assert.equal(r.metrics.systemAtEer.far, 0, 'excluded impostor comparisons are correct rejects');
  assert.deepEqual(r.metrics.counts.excludedFta, { genuine: 1, impostor: 2 });
});

test('streamed all-pairs scores equal the listed all-pairs scores, with the same exclusions', async () => {
  const angles = Array.from({ length: 40 }, (_, i) => (i * 37) % 360);
  const ids = Int32Array.from(angles, (_, i) => i % 7);
  const t = table(angles, [5, 17]);
  const streamed = await scoreAllPairs(t, ids, { keep: 3 });
  const a: number[] = [];
  const b: number[] = [];
  const same: number[] = [];
  for (let i = 0; i < 40; i++) for (let j = i + 1; j < 40; j++) (a.push(i), b.push(j), same.push(ids[i] === ids[j] ? 1 : 0));
  const listed = scoreComparisons({ protocol: 'all-pairs', a: Int32Array.from(a), b: Int32Array.from(b), same: Uint8Array.from(same), fold: null, impostorSampling: null }, t);
  const sort = (x: Float32Array) => [...x].sort((p, q) => p - q);
  assert.deepEqual(sort(streamed.genuine), sort(listed.genuine));
  assert.deepEqual(sort(streamed.impostor), sort(listed.impostor));
  assert.deepEqual(streamed.excluded, listed.excluded);
  const counts = allPairsCounts(ids);
  assert.equal(counts.genuine + counts.impostor, (40 * 39) / 2);
  assert.deepEqual(streamed.topImpostors.map((p) => p.score), sort(listed.impostor).reverse().slice(0, 3));
  assert.deepEqual(streamed.bottomGenuine.map((p) => p.score), sort(listed.genuine).slice(0, 3));
});

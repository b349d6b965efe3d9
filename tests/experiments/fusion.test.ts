import { test } from 'vitest';
import assert from 'node:assert/strict';
import { fuse } from '../../experiments/fusion.js';
import type { ScoredComparisons } from '../../experiments/scoring.js';
import type { ModelMetrics } from '../../experiments/evaluate.js';
import type { FrwError } from '../../core/errors.js';

function scored(score: number[], same: number[]): ScoredComparisons {
  const s = Float32Array.from(score);
  const gi = same.map((x, k) => (x && !Number.isNaN(score[k]) ? k : -1)).filter((k) => k >= 0);
  const ii = same.map((x, k) => (!x && !Number.isNaN(score[k]) ? k : -1)).filter((k) => k >= 0);
  return { score: s, genuine: Float32Array.from(gi, (k) => s[k]), impostor: Float32Array.from(ii, (k) => s[k]), genuineIndex: Int32Array.from(gi), impostorIndex: Int32Array.from(ii), excluded: { genuine: 0, impostor: 0 } };
}
const metrics = (mean: number) => ({ tenFold: { mean } }) as unknown as ModelMetrics;

test('z-normalised weighted mean, hand-worked', () => {
  const same = Uint8Array.from([1, 0, 0]);
  // Model A impostors 0.1, 0.3 → mean 0.2, std 0.1. Model B impostors 0, 0.4 → mean 0.2, std 0.2.
  const A = scored([0.8, 0.1, 0.3], [...same]);
  const B = scored([0.6, 0.0, 0.4], [...same]);
  const f = fuse([{ model: 'a', scored: A, metrics: metrics(0.9) }, { model: 'b', scored: B, metrics: metrics(0.9) }], same, [3, 1]);
  // Genuine: A z = (0.8−0.2)/0.1 = 6, B z = (0.6−0.2)/0.2 = 2 → (3·6 + 1·2)/4 = 5.
  assert.ok(Math.abs(f.scored.score[0] - 5) < 1e-5);
  // Impostor 1: A z = −1, B z = −1 → −1.
  assert.ok(Math.abs(f.scored.score[1] + 1) < 1e-5);
  assert.deepEqual(f.weights, { a: 0.75, b: 0.25 });
  assert.equal(f.weighting, 'given');
});

test('weights default to accuracy; a failure in any model excludes the comparison', () => {
  const same = Uint8Array.from([1, 1, 0, 0]);
  const A = scored([0.8, NaN, 0.1, 0.3], [...same]);
  const B = scored([0.6, 0.7, 0.0, 0.4], [...same]);
  const f = fuse([{ model: 'a', scored: A, metrics: metrics(0.99) }, { model: 'b', scored: B, metrics: metrics(0.33) }], same);
  assert.equal(f.weighting, 'accuracy');
  assert.ok(Math.abs(f.weights.a - 0.75) < 1e-12);
  assert.ok(Number.isNaN(f.scored.score[1]));
  assert.deepEqual(f.scored.excluded, { genuine: 1, impostor: 0 });
  assert.throws(() => fuse([{ model: 'a', scored: A, metrics: metrics(1) }], same), (e: FrwError) => e.code === 'BAD_INPUT');
  assert.throws(() => fuse([{ model: 'a', scored: A, metrics: metrics(1) }, { model: 'b', scored: B, metrics: metrics(1) }], same, [1]), (e: FrwError) => e.code === 'BAD_INPUT');
});

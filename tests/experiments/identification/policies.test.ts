import { test } from 'vitest';
import assert from 'node:assert/strict';
import { decide, topProbability } from '../../../experiments/identification/policies.js';
import { l2DistanceToSimilarity } from '../../../experiments/metrics/index.js';

test('"unknown if the best distance exceeds τ" is "unknown if top-1 similarity < 1 − τ²/2"', () => {
  const tau = 1.0; // similarity threshold 0.5
  assert.equal(l2DistanceToSimilarity(tau), 0.5);
  for (const s of [0.2, 0.49, 0.5, 0.51, 0.9]) {
    const d = decide([s, 0.1], { kind: 'distance', maxDistance: tau });
    assert.equal(d.accepted === null, s < 0.5, `s = ${s}`);
  }
});

test('the aivivn rule keeps a far match whose probability is high, and rejects only when both say unknown', () => {
  // Far (top-1 0.3 → distance 1.18 > τ = 1) but clearly ahead of the rest: softmax(64·[0.3, 0.1, 0.05]) ≈ 0.99998.
  const policy = { kind: 'distance-and-probability' as const, maxDistance: 1, minProbability: 0.9, scale: 64 };
  assert.equal(decide([0.3, 0.1, 0.05], policy).accepted, 0);
  // Far and ambiguous (two candidates tied): probability 0.5 < 0.9 → unknown.
  const d = decide([0.3, 0.3], policy);
  assert.equal(d.accepted, null);
  assert.ok(Math.abs(d.probability! - 0.5) < 1e-12);
  // Near: accepted whatever the probability.
  assert.equal(decide([0.8, 0.8], policy).accepted, 0);
  assert.ok(Math.abs(topProbability([1, 1, 1, 1], 64) - 0.25) < 1e-12);
  assert.throws(() => decide([], policy), (e: Error & { code?: string }) => e.code === 'EMPTY_INPUT');
});

import { test } from 'vitest';
import assert from 'node:assert/strict';
import { errorOrder, worstErrors, type LabelledPairs } from '../../experiments/worst-pairs.js';

// Hand-made: impostors 0.75 (x1~y1), 0.4, 0.4, NaN (FTA); genuine 0.9, 0.3, 0.5.
const pairs: LabelledPairs = {
  score: Float64Array.from([0.75, 0.9, 0.4, 0.3, 0.4, Number.NaN, 0.5]),
  same: Uint8Array.from([0, 1, 0, 1, 0, 0, 1]),
  a: ['x1', 'g1', 'x2', 'g2', 'x3', 'x4', 'g3'],
  b: ['y1', 'h1', 'y2', 'h2', 'y3', 'y4', 'h3'],
};
const order = errorOrder(pairs);

test('false matches are impostors at or above t, highest first; ties keep pair order; FTA pairs never appear', () => {
  const w = worstErrors(pairs, order, 0.4, 10);
  assert.deepEqual(w.falseMatches.map((p) => p.a), ['x1', 'x2', 'x3']);
  assert.deepEqual(w.falseNonMatches.map((p) => p.a), ['g2']);
});

test('false non-matches are genuine pairs strictly below t, lowest first; k caps each list', () => {
  const w = worstErrors(pairs, order, 0.95, 2);
  assert.deepEqual(w.falseNonMatches.map((p) => [p.a, p.score]), [['g2', 0.3], ['g3', 0.5]]);
  assert.deepEqual(w.falseMatches, []);
});

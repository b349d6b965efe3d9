import { test } from 'vitest';
import assert from 'node:assert/strict';
import { dot, fourDots, fourDotsAt } from '../../search/dot.js';
import { unitRows } from '../helpers/vectors.js';

test('the four-row forms, consecutive and gathered, equal one-row dot products bit for bit', () => {
  const dim = 509; // not a multiple of 4 or 8: no tail is special
  const v = unitRows(40, dim, 5);
  const x = unitRows(3, dim, 6);
  const out = new Float64Array(4);
  for (let q = 0; q < 3; q++) {
    fourDots(x, q * dim, v, 7 * dim, dim, out);
    assert.deepEqual([...out], [7, 8, 9, 10].map((r) => dot(x, q * dim, v, r * dim, dim)));
    const rows = [31, 2, 2, 17];
    fourDotsAt(x, q * dim, v, rows[0] * dim, rows[1] * dim, rows[2] * dim, rows[3] * dim, dim, out);
    assert.deepEqual([...out], rows.map((r) => dot(x, q * dim, v, r * dim, dim)));
  }
});

import { test } from 'vitest';
import assert from 'node:assert/strict';
import { median, robustScale, robustZ } from '../../../experiments/audit/robust.js';
import { close, generator, python, requireReference } from '../metrics/helpers.js';

test('median and MAD agree with numpy / scipy.stats.median_abs_deviation; non-finite values are left out', () => {
  requireReference(['scipy']);
  const g = generator(3);
  for (const n of [1, 2, 7, 200, 1001]) {
    const x = Float64Array.from({ length: n }, () => g.normal(0.6, 0.1));
    const ref = python('from scipy.stats import median_abs_deviation as mad\nout["m"] = [np.median(inp["x"])]\nout["mad"] = [mad(inp["x"])]\nout["sig"] = [mad(inp["x"], scale="normal")]', { x });
    const withNaN = Float64Array.from([...x, NaN, Infinity]);
    close(median(withNaN), ref.m[0], 1e-12, `median n=${n}`);
    const s = robustScale(withNaN);
    close(s.mad, ref.mad[0], 1e-12, `MAD n=${n}`);
    assert.equal(s.n, n);
    // scipy's "normal" scale is 1/Φ⁻¹(3/4) = 1.482602…; ours is the rounded 1.4826.
    if (n > 2) close(s.sigma, ref.sig[0], 2e-6, `sigma n=${n}`);
  }
});

test('robust z: a planted low value stands out, the median is 0, MAD 0 falls back to the mean absolute deviation', () => {
  const values = [0.8, 0.81, 0.79, 0.8, 0.82, 0.78, 0.1];
  const s = robustScale(values);
  assert.equal(s.median, 0.8);
  assert.ok(robustZ(0.1, s) < -20, String(robustZ(0.1, s)));
  assert.equal(robustZ(0.8, s), 0);
  // Over half equal: MAD is 0; sigma is 1.2533 × mean |x − median| = 1.2533 × 0.3 / 5.
  const tied = robustScale([0.5, 0.5, 0.5, 0.2, 0.8]);
  assert.equal(tied.mad, 0);
  close(tied.sigma, (1.2533 * 0.6) / 5, 1e-12);
  // All equal: no spread at all.
  const flat = robustScale([0.3, 0.3, 0.3]);
  assert.deepEqual([robustZ(0.3, flat), robustZ(0.2, flat), robustZ(0.4, flat)], [0, -Infinity, Infinity]);
  assert.ok(Number.isNaN(robustZ(0.3, robustScale([]))));
  assert.ok(Number.isNaN(robustZ(NaN, s)));
});

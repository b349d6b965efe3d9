import { test } from 'vitest';
import assert from 'node:assert/strict';
import { findJunk, yawProxy } from '../../../experiments/audit/junk.js';
import { close } from '../metrics/helpers.js';

const lm = (...rows: number[][]) => Float32Array.from(rows.flat());

test('yaw proxy: 0 frontal, ±1 with the nose over an eye, unchanged by in-plane rotation and scale; NaN without landmarks', () => {
  // Eyes at (40,50) and (72,50): midpoint 56, half distance 16.
  const frontal = [40, 50, 72, 50, 56, 66, 44, 82, 68, 82];
  const overRight = [40, 50, 72, 50, 72, 66, 44, 82, 68, 82];
  const halfLeft = [40, 50, 72, 50, 48, 66, 44, 82, 68, 82];
  const l = lm(frontal, overRight, halfLeft);
  close(yawProxy(l, 0), 0, 1e-12);
  close(yawProxy(l, 1), 1, 1e-12);
  close(yawProxy(l, 2), -0.5, 1e-12);
  // The same face turned 30° in the image plane, and twice as large: the same yaw.
  const rot = (p: number[], a: number, k: number) => p.flatMap((_, i) => (i % 2 ? [] : [k * (p[i] * Math.cos(a) - p[i + 1] * Math.sin(a)), k * (p[i] * Math.sin(a) + p[i + 1] * Math.cos(a))]));
  close(yawProxy(lm(rot(halfLeft, Math.PI / 6, 2)), 0), -0.5, 1e-5);
  assert.ok(Number.isNaN(yawProxy(new Float32Array(10).fill(NaN), 0)));
  assert.ok(Number.isNaN(yawProxy(lm([5, 5, 5, 5, 5, 5, 5, 5, 5, 5]), 0)), 'both eyes at one point');
});

test('junk: failures to acquire with their reason, tiny faces, extreme poses, images that match no one; clean images left out', () => {
  const q = (eye: number) => ({ imageWidth: 250, imageHeight: 250, grayscale: false, detScore: 0.9, faceAreaRatio: 0.2, interEyeDistance: eye });
  const frontal = [40, 50, 72, 50, 56, 66, 44, 82, 68, 82];
  const profile = [40, 50, 72, 50, 90, 66, 44, 82, 68, 82];
  const none = new Array(10).fill(NaN);
  const f = findJunk(
    {
      failure: [null, 'no-face', null, null, null, null],
      failureMessage: [null, 'no face found above score 0.5', null, null, null, null],
      quality: [q(40), null, q(12), q(40), q(40), q(40)],
      landmarks: lm(frontal, none, frontal, profile, frontal, frontal),
      // Image 4 is far from its own identity and from every other: its best is under the median nearest-other.
      loo: Float32Array.from([0.8, NaN, 0.7, 0.75, 0.1, NaN]),
      nearestSimilarity: Float32Array.from([0.3, NaN, 0.35, 0.25, 0.2, 0.3]),
    },
    { minEyeDistance: 20, maxYaw: 1 },
  );
  assert.deepEqual(f.rows.map((r) => [r.image, r.reasons]), [[1, ['failure-to-acquire']], [2, ['tiny-face']], [3, ['extreme-pose']], [4, ['far-from-all']]]);
  assert.deepEqual(f.rows[0].failure, { reason: 'no-face', message: 'no face found above score 0.5' });
  close(f.rows[2].yaw, (90 - 56) / 16, 1e-6);
  close(f.farLevel, 0.275, 1e-6, 'median nearest-other over judged images (0.3, 0.35, 0.25, 0.2)');
  assert.deepEqual(f.byReason, { 'failure-to-acquire': 1, 'tiny-face': 1, 'extreme-pose': 1, 'far-from-all': 1 });
  // Image 5 (a one-image identity: no leave-one-out) is never judged far, whatever its nearest other.
  assert.ok(!f.rows.some((r) => r.image === 5));
});

import { test } from 'vitest';
import assert from 'node:assert/strict';
import { ARCFACE_TEMPLATE_112, alignFace, applyTransform, estimateSimilarity, invertTransform, mirror, templateFor } from '../../models/align.js';

test('five points under a known similarity map onto the ArcFace template within 0.5 px', () => {
  // A face 2.3× the template size, rotated 17°, shifted: the inverse of that transform must be recovered.
  const theta = (17 * Math.PI) / 180;
  const s = 2.3;
  const truth = { a: s * Math.cos(theta), b: s * Math.sin(theta), tx: 140.5, ty: 61.25 };
  const src = ARCFACE_TEMPLATE_112.map((p) => applyTransform(truth, p));
  const t = estimateSimilarity(src, ARCFACE_TEMPLATE_112);
  for (let i = 0; i < 5; i++) {
    const q = applyTransform(t, src[i]);
    assert.ok(Math.hypot(q.x - ARCFACE_TEMPLATE_112[i].x, q.y - ARCFACE_TEMPLATE_112[i].y) < 0.5, `point ${i} off by more than 0.5 px`);
  }
  const inv = invertTransform(t);
  assert.ok(Math.abs(inv.a - truth.a) < 1e-9 && Math.abs(inv.b - truth.b) < 1e-9 && Math.abs(inv.tx - truth.tx) < 1e-6);
});

test('noisy landmarks give the least-squares fit (residuals sum to zero, centroid maps to centroid)', () => {
  const src = [
    { x: 100, y: 120 },
    { x: 160, y: 118 },
    { x: 131, y: 150 },
    { x: 108, y: 181 },
    { x: 152, y: 179 },
  ];
  const t = estimateSimilarity(src, ARCFACE_TEMPLATE_112);
  let rx = 0;
  let ry = 0;
  for (let i = 0; i < 5; i++) {
    const q = applyTransform(t, src[i]);
    rx += q.x - ARCFACE_TEMPLATE_112[i].x;
    ry += q.y - ARCFACE_TEMPLATE_112[i].y;
  }
  assert.ok(Math.abs(rx) < 1e-9 && Math.abs(ry) < 1e-9);
});

test('alignFace puts the pixel at each landmark where the template says', () => {
  // A 300×300 image, black except a white 3×3 dot at the left-eye landmark.
  const w = 300;
  const data = new Uint8Array(w * w * 3);
  const lm = [
    { x: 120, y: 140 },
    { x: 180, y: 140 },
    { x: 150, y: 175 },
    { x: 126, y: 210 },
    { x: 174, y: 210 },
  ];
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) data.fill(255, ((140 + dy) * w + 120 + dx) * 3, ((140 + dy) * w + 120 + dx) * 3 + 3);
  const out = alignFace({ width: w, height: w, data }, lm);
  const [ex, ey] = [Math.round(ARCFACE_TEMPLATE_112[0].x), Math.round(ARCFACE_TEMPLATE_112[0].y)];
  assert.ok(out.data[(ey * 112 + ex) * 3] > 100, 'the eye dot lands at the template eye');
  assert.equal(out.data[(10 * 112 + 10) * 3], 0, 'far from the dot stays black');
});

test('templateFor with margin keeps the template centred and scales it', () => {
  const t = templateFor({ size: 224, margin: 0.1 });
  const cx = t.reduce((a, p) => a + p.x, 0) / 5;
  const base = ARCFACE_TEMPLATE_112.reduce((a, p) => a + p.x, 0) / 5;
  // Scale 224/112/1.2 about the crop centre: centre 56 → 112.
  assert.ok(Math.abs(cx - (112 + (base - 56) * (2 / 1.2))) < 1e-9);
});

test('mirror flips rows left to right', () => {
  const img = { width: 2, height: 1, data: new Uint8Array([1, 2, 3, 4, 5, 6]) };
  assert.deepEqual([...mirror(img).data], [4, 5, 6, 1, 2, 3]);
});

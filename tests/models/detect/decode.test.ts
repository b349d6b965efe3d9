import { test } from 'vitest';
import assert from 'node:assert/strict';
import { decodeScrfd, decodeYunet } from '../../../models/detect/decode.js';
import { nms } from '../../../models/detect/types.js';
import type { FloatTensor } from '../../../models/runtime/types.js';

const P = { inputWidth: 64, inputHeight: 64, scoreThreshold: 0.5 };

/** SCRFD outputs for a 64×64 input with every score 0, shaped as the real export (N×1, N×4, N×10 per stride). */
function emptyScrfd(): FloatTensor[] {
  const t: FloatTensor[] = [];
  for (const last of [1, 4, 10]) {
    for (const s of [8, 16, 32]) {
      const n = (64 / s) * (64 / s) * 2;
      t.push({ data: new Float32Array(n * last), dims: [n, last] });
    }
  }
  return t;
}

test('SCRFD: hand-worked anchor at stride 16, cell (row 1, col 2), second anchor', () => {
  const out = emptyScrfd();
  // stride 16 → 4 columns; cell index 1*4+2 = 6; second anchor → row 13 of the N×k tensors. Centre (32, 16).
  const i = 13;
  out[1].data[i] = 0.9;
  out[4].data.set([0.5, 0.25, 1, 2], i * 4); // distances × 16 → left 8, top 4, right 16, bottom 32
  out[7].data.set([-1, 0, 1, 0, 0, 0.5, -0.5, 1, 0.5, 1], i * 10);
  const [d, ...rest] = decodeScrfd(out, P);
  assert.equal(rest.length, 0);
  assert.ok(Math.abs(d.score - 0.9) < 1e-6);
  assert.deepEqual(d.box, { x1: 24, y1: 12, x2: 48, y2: 48 });
  assert.deepEqual(d.landmarks, [
    { x: 16, y: 16 },
    { x: 48, y: 16 },
    { x: 32, y: 24 },
    { x: 24, y: 32 },
    { x: 40, y: 32 },
  ]);
});

test('SCRFD: outputs are found by shape whatever their order; a missing head is a MODEL_MISMATCH', () => {
  const out = emptyScrfd().reverse();
  assert.deepEqual(decodeScrfd(out, P), []);
  assert.throws(() => decodeScrfd(out.slice(1), P), (e: Error & { code?: string }) => e.code === 'MODEL_MISMATCH');
});

test('YuNet: hand-worked cell at stride 8 (row 2, col 3), score = sqrt(cls·obj)', () => {
  const named: Record<string, FloatTensor> = {};
  for (const s of [8, 16, 32]) {
    const n = (64 / s) ** 2;
    for (const [k, last] of [['cls', 1], ['obj', 1], ['bbox', 4], ['kps', 10]] as const) named[`${k}_${s}`] = { data: new Float32Array(n * last), dims: [1, n, last] };
  }
  const i = 2 * 8 + 3;
  named.cls_8.data[i] = 0.81;
  named.obj_8.data[i] = 1.0;
  named.bbox_8.data.set([0.5, 0.5, Math.log(2), Math.log(4)], i * 4); // centre (28, 20), w 16, h 32
  named.kps_8.data.set([0, 0, 1, 0, 0.5, 0.5, 0, 1, 1, 1], i * 10);
  const [d] = decodeYunet(named, P);
  assert.ok(Math.abs(d.score - 0.9) < 1e-6);
  const r = (v: number) => Math.round(v * 1e6) / 1e6;
  assert.deepEqual({ x1: r(d.box.x1), y1: r(d.box.y1), x2: r(d.box.x2), y2: r(d.box.y2) }, { x1: 20, y1: 4, x2: 36, y2: 36 });
  assert.deepEqual(d.landmarks[0], { x: 24, y: 16 });
  assert.deepEqual(d.landmarks[4], { x: 32, y: 24 });
});

test('NMS keeps the best of overlapping boxes and every separate one', () => {
  const det = (x: number, score: number) => ({ score, box: { x1: x, y1: 0, x2: x + 10, y2: 10 }, landmarks: [] });
  const kept = nms([det(0, 0.6), det(1, 0.9), det(50, 0.7)], 0.4);
  assert.deepEqual(kept.map((d) => d.score), [0.9, 0.7]);
});

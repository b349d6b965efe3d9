import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { decodeImage, DEFAULT_DECODE } from '../../../datasets/image.js';
import { detectFaces } from '../../../models/detect/detector.js';
import type { Detection } from '../../../models/detect/types.js';
import { loadModel, type LoadedModel } from '../../../models/load.js';
import { getDetectorCard } from '../../../models/registry.js';
import type { DetectorCard } from '../../../models/card.js';
import { MODEL_ROOT, lfwImage, tempWorkspace } from '../../helpers/shared.js';

const models: Record<string, LoadedModel<DetectorCard>> = {};
beforeAll(async () => {
  for (const id of ['scrfd-2.5g', 'scrfd-500m', 'yunet']) models[id] = await loadModel(getDetectorCard(id, tempWorkspace()), { modelRoot: MODEL_ROOT, threads: 1 });
});
afterAll(async () => {
  for (const m of Object.values(models)) await m.session.dispose();
});

async function detect(id: string, file: string): Promise<Detection[]> {
  const dec = await decodeImage(file, DEFAULT_DECODE);
  return detectFaces(models[id].session, models[id].card, dec.image);
}

test('SCRFD-2.5G on a real LFW image gives the expected box and keypoints', async () => {
  const [d] = await detect('scrfd-2.5g', lfwImage('Aaron_Eckhart'));
  // Golden values: scrfd_2.5g_bnkps.onnx at 320×320 on Aaron_Eckhart_0001.jpg (this decoder, 2026-11-22); the
  // independent YuNet and SCRFD-500M decoders agree within 5 px (next test), which is what makes them trustworthy.
  const expected = { box: [81.9, 66.6, 168.7, 186.0], landmarks: [[106.9, 108.8], [146.6, 109.1], [127.3, 140.2], [111.3, 156.8], [141.9, 157.1]] };
  [d.box.x1, d.box.y1, d.box.x2, d.box.y2].forEach((v, i) => assert.ok(Math.abs(v - expected.box[i]) < 1, `box[${i}] = ${v}`));
  d.landmarks.forEach((p, i) => assert.ok(Math.hypot(p.x - expected.landmarks[i][0], p.y - expected.landmarks[i][1]) < 1, `landmark ${i}`));
  assert.ok(d.score > 0.7);
});

test('three detectors with different decoders agree on landmarks of centred LFW faces', async () => {
  for (const name of ['Aaron_Eckhart', 'Serena_Williams', 'Colin_Powell', 'Gloria_Macapagal_Arroyo']) {
    const byModel = await Promise.all(['scrfd-2.5g', 'scrfd-500m', 'yunet'].map((id) => detect(id, lfwImage(name))));
    // The face nearest the centre of a 250×250 LFW image is the subject.
    const central = byModel.map((ds) => ds.reduce((a, b) => (dist(a) < dist(b) ? a : b)));
    for (let i = 0; i < 5; i++) {
      const ref = central[0].landmarks[i];
      for (const d of central.slice(1)) assert.ok(Math.hypot(d.landmarks[i].x - ref.x, d.landmarks[i].y - ref.y) < 8, `${name} landmark ${i} disagrees`);
    }
    const [le, re, nose, lm, rm] = central[0].landmarks;
    assert.ok(le.x < re.x && lm.x < rm.x, 'left/right in image order (ArcFace template order)');
    assert.ok(le.y < nose.y && nose.y < lm.y, 'eyes above nose above mouth');
  }
});

test('a uniform grey image has no faces', async () => {
  const blank = { width: 320, height: 240, data: new Uint8Array(320 * 240 * 3).fill(128) };
  assert.deepEqual(await detectFaces(models['scrfd-2.5g'].session, models['scrfd-2.5g'].card, blank), []);
});

const dist = (d: Detection) => Math.hypot((d.box.x1 + d.box.x2) / 2 - 125, (d.box.y1 + d.box.y2) / 2 - 125);

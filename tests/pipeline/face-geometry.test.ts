import { test } from 'vitest';
import assert from 'node:assert/strict';
import path from 'node:path';
import { EmbeddingCache } from '../../pipeline/embedding-cache.js';
import { loadFaceGeometry } from '../../pipeline/face-geometry.js';
import { synthManifest } from '../experiments/audit/fixtures.js';
import { tempWorkspace } from '../helpers/shared.js';

test('face geometry: the cached box and five landmarks per image, the failure message where no face was acquired, NaN elsewhere', () => {
  const manifest = synthManifest([
    { path: 'A/a.jpg', label: 'A', person: 'A' },
    { path: 'A/b.jpg', label: 'A', person: 'A' },
    { path: 'B/c.jpg', label: 'B', person: 'B' },
  ]);
  const [a, b, c] = manifest.images;
  const dir = path.join(tempWorkspace(), 'cache');
  const cache = EmbeddingCache.openForWrite(dir, { key: 'k', settings: {} });
  const quality = { imageWidth: 250, imageHeight: 250, grayscale: false, detScore: 0.9, faceAreaRatio: 0.2, interEyeDistance: 30 };
  const landmarks = [{ x: 100, y: 110 }, { x: 130, y: 111 }, { x: 115, y: 125 }, { x: 104, y: 140 }, { x: 127, y: 141 }];
  cache.append([
    { status: 'ok', sha256: a.sha256, face: { faceCount: 2, box: { x1: 80, y1: 90, x2: 150, y2: 170 }, landmarks, quality }, vector: new Float32Array([1, 0]) },
    { status: 'failed', sha256: b.sha256, reason: 'no-face', message: 'no face found above score 0.5 by scrfd-2.5g' },
  ]);
  cache.close();
  const g = loadFaceGeometry(manifest, dir);
  assert.deepEqual(Array.from(g.boxes.subarray(0, 4)), [80, 90, 150, 170]);
  assert.deepEqual(Array.from(g.landmarks.subarray(0, 10)), landmarks.flatMap((p) => [p.x, p.y]));
  assert.deepEqual(g.failureMessage, [null, 'no face found above score 0.5 by scrfd-2.5g', null]);
  assert.ok([...g.boxes.subarray(4), ...g.landmarks.subarray(10)].every(Number.isNaN), 'no face, or not embedded yet (c): NaN');
  assert.equal(c.path, 'B/c.jpg');
});

import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { isFrwError } from '../../../core/errors.js';
import { decodeImage } from '../../../datasets/image.js';
import { ghostFaceNetV1 } from '../../../models/ghostfacenet.js';
import { graphFromModelConfig } from '../../../models/keras/graph.js';
import { openKerasH5 } from '../../../models/keras/h5.js';
import { loadKerasCheckpoint } from '../../../models/keras/load.js';
import { buildKerasModel, type KerasModel } from '../../../models/keras/model.js';
import { initTfjs } from '../../../models/runtime/tfjs.js';
import { writePixels } from '../../../models/tensor.js';
import { MODEL_ROOT } from '../../helpers/shared.js';

// The reference: shared/models/ghostfacenet-reference (fixture.json), 8 aligned LFW crops and the 8×512 raw
// outputs the checkpoint gives in Keras 3.15 / TensorFlow 2.21 (shared/README.md).
const H5 = path.join(MODEL_ROOT, 'GN_W0.5_S2_ArcFace_epoch16.h5');
const REF = path.join(MODEL_ROOT, 'ghostfacenet-reference');
const DIM = 512;

async function referenceBatch(): Promise<{ x: Float32Array; keras: Float32Array }> {
  const per = 112 * 112 * 3;
  const x = new Float32Array(8 * per);
  for (let i = 0; i < 8; i++) {
    const img = (await decodeImage(path.join(REF, `crop${i}.png`))).image;
    // (x − 127.5) × 0.0078125, RGB, NHWC: fixture.json's "preprocess".
    writePixels(img, { layout: 'NHWC', channelOrder: 'RGB', mean: [127.5, 127.5, 127.5], std: [128, 128, 128] }, x, i * per);
  }
  const b = fs.readFileSync(path.join(REF, 'keras-output.f32'));
  return { x, keras: new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)) };
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>, row: number): number {
  let d = 0, na = 0, nb = 0;
  for (let j = row * DIM; j < (row + 1) * DIM; j++) {
    d += a[j] * b[j];
    na += a[j] * a[j];
    nb += b[j] * b[j];
  }
  return d / Math.sqrt(na * nb);
}

function embed(model: KerasModel, x: Float32Array): Float32Array {
  const input = tf.tensor(x, [8, 112, 112, 3]);
  const [out] = model.predict(input, ['embedding']);
  const values = out.dataSync() as Float32Array;
  input.dispose();
  out.dispose();
  return values;
}

describe('Keras .h5 checkpoints (GhostFaceNetV1 W0.5 S2)', () => {
  let ref: { x: Float32Array; keras: Float32Array };
  let fromFile: KerasModel;
  beforeAll(async () => {
    await initTfjs();
    ref = await referenceBatch();
    fromFile = loadKerasCheckpoint(H5);
  });
  afterAll(() => fromFile?.dispose());

  it('the generic loader matches what Keras computes on the eight reference crops', () => {
    const ours = embed(fromFile, ref.x);
    for (let i = 0; i < 8; i++) assert.ok(cosine(ours, ref.keras, i) > 0.9999, `crop${i}: cosine ${cosine(ours, ref.keras, i)}`);
    // float32 agreement, not just direction: the raw outputs are O(1).
    const worst = ours.reduce((m, v, k) => Math.max(m, Math.abs(v - ref.keras[k])), 0);
    assert.ok(worst < 1e-3, `largest difference ${worst}`);
  });

  it('hard_sigmoid in its Keras 3 meaning would not reproduce the checkpoint', () => {
    const h5 = openKerasH5(H5);
    const keras3 = buildKerasModel(graphFromModelConfig(h5.modelConfig, '3.15.0', H5), { file: H5, layers: h5.weightLayers, read: (l) => h5.layerWeights(l) });
    try {
      const ours = embed(keras3, ref.x);
      const worst = Math.min(...Array.from({ length: 8 }, (_, i) => cosine(ours, ref.keras, i)));
      assert.ok(worst < 0.9999, `the trap shared/README.md describes: cosine ${worst}`);
    } finally {
      keras3.dispose();
    }
  });

  it('the code-built GhostFaceNetV1 is the file\'s graph, layer for layer, and gives the same outputs', () => {
    const h5 = openKerasH5(H5);
    const file = graphFromModelConfig(h5.modelConfig, h5.kerasVersion, H5);
    const code = ghostFaceNetV1({ width: 0.5, stride: 2 });
    const input = (g: typeof file) => g.inputs[0];
    const rename = (n: string, g: typeof file) => (n === input(g) ? '<input>' : n);
    const sig = (g: typeof file) => g.layers.map((l) => `${rename(l.name, g)} ${l.className} <- ${l.inbound.map((n) => rename(n, g)).join(',')}`);
    // Same layers, classes and wiring; the order within a depth differs (Keras sorts its config by depth).
    assert.deepEqual(sig(code).sort(), sig(file).sort());
    assert.equal(code.layers.length, 298);
    const built = loadKerasCheckpoint(H5, { architecture: { name: 'ghostfacenet-v1', width: 0.5, stride: 2 } });
    try {
      assert.equal(built.cost.parameters, fromFile.cost.parameters);
      const a = embed(built, ref.x);
      const b = embed(fromFile, ref.x);
      assert.deepEqual(a, b);
    } finally {
      built.dispose();
    }
  });

  it('weights that do not fit the architecture are refused naming the layer', () => {
    // Width 0.6 makes the stem 12 filters wide where the file's is 8.
    assert.throws(
      () => loadKerasCheckpoint(H5, { architecture: { name: 'ghostfacenet-v1', width: 0.6, stride: 2 } }),
      (e: unknown) => isFrwError(e, 'MODEL_MISMATCH') && /layer 'conv2d': weight 'kernel' is \[3, 3, 3, 8\] in the file; this Conv2D needs \[3, 3, 3, 12\]/.test(e.message),
    );
    // Stride 1 keeps every weight shape but the 4×4 GDC kernel, which becomes 7×7.
    assert.throws(
      () => loadKerasCheckpoint(H5, { architecture: { name: 'ghostfacenet-v1', width: 0.5, stride: 1 } }),
      (e: unknown) => isFrwError(e, 'MODEL_MISMATCH') && /layer 'GDC_dw'/.test(e.message),
    );
    // A model_config edited to disagree with its weights.
    const h5 = openKerasH5(H5);
    const cfg = structuredClone(h5.modelConfig) as { config: { layers: Array<{ name: string; class_name: string; config: Record<string, unknown> }> } };
    // A 5×5 cheap operation where the file stored 3×3 weights: every shape still fits, the weights do not.
    cfg.config.layers.find((l) => l.name === 'depthwise_conv2d_7')!.config.kernel_size = [5, 5];
    assert.throws(
      () => buildKerasModel(graphFromModelConfig(cfg, h5.kerasVersion, H5), { file: H5, layers: h5.weightLayers, read: (l) => h5.layerWeights(l) }),
      (e: unknown) => isFrwError(e, 'MODEL_MISMATCH') && /layer 'depthwise_conv2d_7': weight 'depthwise_kernel' is \[3, 3, 6, 1\] in the file; this DepthwiseConv2D needs \[5, 5, 6, 1\]/.test(e.message),
    );
  });

  it('a truncated or foreign file is refused with a message naming what cannot be read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frw-h5-'));
    try {
      const bytes = fs.readFileSync(H5);
      const cut = path.join(dir, 'cut.h5');
      fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      assert.throws(() => loadKerasCheckpoint(cut), (e: unknown) => isFrwError(e, 'BAD_INPUT') && /is truncated: \d+ of the 3833672 bytes/.test(e.message) && /layer 'conv2d'/.test(e.message));
      const notH5 = path.join(dir, 'model.h5');
      fs.writeFileSync(notH5, 'this is not an HDF5 file '.repeat(10));
      assert.throws(() => loadKerasCheckpoint(notH5), (e: unknown) => isFrwError(e, 'BAD_INPUT') && /not an HDF5 file/.test(e.message));
      // The HDF5 signature and then garbage: the reader's own failure becomes a clear error.
      const garbage = Buffer.concat([bytes.subarray(0, 8), Buffer.alloc(4096, 0xab)]);
      fs.writeFileSync(notH5, garbage);
      assert.throws(() => loadKerasCheckpoint(notH5), (e: unknown) => isFrwError(e, 'BAD_INPUT'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { isFrwError } from '../../../core/errors.js';
import { PROJECT_ROOT } from '../../../core/paths.js';
import { createTfjsSession, initTfjs, tfjsBackendName } from '../../../models/runtime/tfjs.js';
import type { InferenceSession } from '../../../models/runtime/types.js';

const MODELS = path.join(PROJECT_ROOT, 'node_modules', '@vladmandic', 'human-models', 'models');
const MOBILEFACE = path.join(MODELS, 'mobileface.json');

/** A deterministic 0–255 image batch, so single and batched runs see identical pixels. */
function pixels(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n * 112 * 112 * 3);
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = s % 256;
  }
  return out;
}

describe('tfjs runtime', () => {
  let session: InferenceSession;
  let tmp: string;
  beforeAll(async () => {
    session = await createTfjsSession(MOBILEFACE, { threads: 1 });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'frw-tfjs-'));
  });
  afterAll(async () => {
    await session.dispose();
    await rm(tmp, { recursive: true, force: true });
  });

  it('loads mobileface from disk and reports its declared shapes', () => {
    assert.ok(['tfjs-wasm', 'tfjs-node'].includes(session.runtime));
    assert.equal(tfjsBackendName(), session.runtime);
    assert.deepEqual(session.inputs, [{ name: 'data', shape: [-1, 112, 112, 3] }]);
    assert.deepEqual(session.outputs, [{ name: 'batchnorm0/add_1', shape: [-1, 256] }]);
  });

  it('embeds a 1×112×112×3 crop into 256 values, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const out = await session.run({ data: { data: pixels(1), dims: [1, 112, 112, 3] } });
    assert.equal(tf.memory().numTensors, before);
    const emb = out['batchnorm0/add_1'];
    assert.ok(emb);
    assert.deepEqual(emb.dims, [1, 256]);
    assert.ok(emb.data instanceof Float32Array);
    assert.ok(emb.data.some((v) => v !== 0) && emb.data.every(Number.isFinite));
  });

  it('accepts the tfjs `:0` spelling of an input name', async () => {
    const out = await session.run({ 'data:0': { data: pixels(1), dims: [1, 112, 112, 3] } });
    assert.deepEqual(out['batchnorm0/add_1']?.dims, [1, 256]);
  });

  it('runs a batch of 16 with the same embeddings as single runs', async () => {
    const batch = pixels(16, 7);
    const big = (await session.run({ data: { data: batch, dims: [16, 112, 112, 3] } }))['batchnorm0/add_1']!;
    assert.deepEqual(big.dims, [16, 256]);
    const per = 112 * 112 * 3;
    for (const i of [0, 9, 15]) {
      const one = (await session.run({ data: { data: batch.slice(i * per, (i + 1) * per), dims: [1, 112, 112, 3] } }))['batchnorm0/add_1']!;
      for (let j = 0; j < 256; j++) assert.ok(Math.abs(one.data[j]! - big.data[i * 256 + j]!) < 1e-3);
    }
  });

  it('measures ms per inference (printed, not asserted)', async () => {
    const feed = { data: { data: pixels(1, 3), dims: [1, 112, 112, 3] } };
    await session.run(feed);
    const n = 30;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await session.run(feed);
    console.log(`mobileface on ${session.runtime}: ${((performance.now() - t0) / n).toFixed(2)} ms/inference (batch 1)`);
  });

  it('rejects a feed of the wrong shape or name with MODEL_MISMATCH, and leaks nothing doing so', async () => {
    const before = tf.memory().numTensors;
    await assert.rejects(session.run({ data: { data: new Float32Array(1 * 96 * 96 * 3), dims: [1, 96, 96, 3] } }), (e) =>
      isFrwError(e, 'MODEL_MISMATCH') && /\[-1,112,112,3\]/.test(e.message) && /\[1,96,96,3\]/.test(e.message));
    await assert.rejects(session.run({ data: { data: pixels(1), dims: [112, 112, 3] } }), (e) => isFrwError(e, 'MODEL_MISMATCH'));
    await assert.rejects(session.run({ image: { data: pixels(1), dims: [1, 112, 112, 3] } }), (e) => isFrwError(e, 'MODEL_MISMATCH'));
    await assert.rejects(session.run({ data: { data: pixels(1), dims: [1, 112, 112, 3] } }, ['nope']), (e) => isFrwError(e, 'MODEL_MISMATCH'));
    await assert.rejects(session.run({ data: { data: new Float32Array(5), dims: [1, 112, 112, 3] } }), (e) => isFrwError(e, 'BAD_INPUT'));
    assert.equal(tf.memory().numTensors, before);
  });

  it('reports a missing model.json or weight shard as NOT_FOUND', async () => {
    await assert.rejects(createTfjsSession(path.join(tmp, 'absent.json'), { threads: 1 }), (e) => isFrwError(e, 'NOT_FOUND'));
    const lonely = path.join(tmp, 'mobileface.json');
    await copyFile(MOBILEFACE, lonely); // the .bin is not copied
    await assert.rejects(createTfjsSession(lonely, { threads: 1 }), (e) => isFrwError(e, 'NOT_FOUND') && /mobileface\.bin/.test(e.message));
  });

  it('reports an unknown format as UNSUPPORTED', async () => {
    const odd = path.join(tmp, 'odd.json');
    await writeFile(odd, JSON.stringify({ format: 'saved-model', modelTopology: {}, weightsManifest: [] }));
    await assert.rejects(createTfjsSession(odd, { threads: 1 }), (e) => isFrwError(e, 'UNSUPPORTED'));
  });

  it('picks an inner node of faceres as the output', async () => {
    const faceres = await createTfjsSession(path.join(MODELS, 'faceres.json'), { threads: 1, outputNames: ['global_pooling/Mean'] });
    try {
      assert.deepEqual(faceres.inputs, [{ name: 'input_1', shape: [-1, 224, 224, 3] }]);
      assert.deepEqual(faceres.outputs, [{ name: 'global_pooling/Mean', shape: [1, 1024] }]);
      const out = await faceres.run({ input_1: { data: new Float32Array(224 * 224 * 3).fill(0.5), dims: [1, 224, 224, 3] } });
      assert.deepEqual(Object.keys(out), ['global_pooling/Mean']);
      assert.deepEqual(out['global_pooling/Mean']?.dims, [1, 1024]);
    } finally {
      await faceres.dispose();
    }
  });

  it('runs a graph with control flow (handtrack) through executeAsync without leaking', async () => {
    const hand = await createTfjsSession(path.join(MODELS, 'handtrack.json'), { threads: 1 });
    try {
      assert.deepEqual(hand.inputs, [{ name: 'input_tensor', shape: [1, -1, -1, 3] }]);
      const before = tf.memory().numTensors;
      const out = await hand.run({ input_tensor: { data: new Float32Array(320 * 320 * 3).fill(100), dims: [1, 320, 320, 3] } });
      assert.equal(tf.memory().numTensors, before);
      assert.equal(Object.keys(out).length, hand.outputs.length);
      assert.deepEqual(out['Identity_1']?.dims, [1, 100, 4]);
    } finally {
      await hand.dispose();
    }
  });

  it('loads a layers model saved to disk', async () => {
    await initTfjs();
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2, kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
    const dir = path.join(tmp, 'layers');
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        const { mkdir } = await import('node:fs/promises');
        await mkdir(dir, { recursive: true });
        const weights = Buffer.from(a.weightData as ArrayBuffer);
        await writeFile(path.join(dir, 'w.bin'), weights);
        const json = { format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: a.weightSpecs }] };
        await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    model.dispose();
    const s = await createTfjsSession(path.join(dir, 'model.json'), { threads: 1 });
    try {
      assert.equal(s.inputs.length, 1);
      assert.deepEqual(s.inputs[0]!.shape, [-1, 4]);
      assert.deepEqual(s.outputs[0]!.shape, [-1, 2]);
      const before = tf.memory().numTensors;
      const out = await s.run({ [s.inputs[0]!.name]: { data: Float32Array.of(1, 2, 3, 4), dims: [1, 4] } });
      assert.equal(tf.memory().numTensors, before);
      const y = out[s.outputs[0]!.name]!;
      assert.deepEqual(y.dims, [1, 2]);
      assert.deepEqual([...y.data], [10, 10]);
      await assert.rejects(s.run({ [s.inputs[0]!.name]: { data: Float32Array.of(1, 2, 3), dims: [1, 3] } }), (e) => isFrwError(e, 'MODEL_MISMATCH'));
    } finally {
      await s.dispose();
    }
  });
});

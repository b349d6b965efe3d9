import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isFrwError } from '../../../core/errors.js';
import { PROJECT_ROOT } from '../../../core/paths.js';
import { createOnnxSession } from '../../../models/runtime/onnx.js';
import type { InferenceSession } from '../../../models/runtime/types.js';

// shared/ sits next to the checkout, so a fresh clone beside it finds the same file.
const MOBILEFACENET = path.resolve(PROJECT_ROOT, '..', 'shared', 'models', 'mobilefacenet.onnx');
const skip = existsSync(MOBILEFACENET) ? false : `${MOBILEFACENET} is absent`;

describe.skipIf(skip)('onnx runtime', () => {
  let session: InferenceSession;
  let tmp: string;
  beforeAll(async () => {
    session = await createOnnxSession(MOBILEFACENET, { threads: 1 });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'frw-onnx-'));
  });
  afterAll(async () => {
    await session.dispose();
    await rm(tmp, { recursive: true, force: true });
  });

  it('reports the declared input and output shapes, or the freed batch when asked (tests/models/runtime/onnx-batch.test.ts)', async () => {
    assert.equal(session.runtime, 'onnxruntime-node');
    assert.deepEqual(session.inputs, [{ name: 'input', shape: [1, 3, 112, 112] }]);
    assert.deepEqual(session.outputs, [{ name: 'output', shape: [1, 128] }]);
    const free = await createOnnxSession(MOBILEFACENET, { threads: 1, freeBatch: true });
    assert.deepEqual(free.inputs, [{ name: 'input', shape: ['batch', 3, 112, 112] }]);
    assert.deepEqual(free.outputs, [{ name: 'output', shape: ['batch', 128] }]);
    const out = await free.run({ input: { data: new Float32Array(16 * 3 * 112 * 112), dims: [16, 3, 112, 112] } });
    assert.deepEqual(out.output!.dims, [16, 128]);
    await free.dispose();
  });

  it('embeds a 1×3×112×112 crop into 128 floats', async () => {
    const data = new Float32Array(3 * 112 * 112).map((_, i) => ((i * 37) % 255) / 128 - 1);
    const out = await session.run({ input: { data, dims: [1, 3, 112, 112] } });
    assert.deepEqual(Object.keys(out), ['output']);
    assert.deepEqual(out.output!.dims, [1, 128]);
    assert.ok(out.output!.data instanceof Float32Array);
    assert.ok(out.output!.data.some((v) => v !== 0) && out.output!.data.every(Number.isFinite));
  });

  it('rejects wrong shapes, names and batches with MODEL_MISMATCH naming both shapes', async () => {
    await assert.rejects(session.run({ input: { data: new Float32Array(112 * 112 * 3), dims: [1, 112, 112, 3] } }), (e) =>
      isFrwError(e, 'MODEL_MISMATCH') && /\[1,3,112,112\]/.test(e.message) && /\[1,112,112,3\]/.test(e.message));
    // The file fixes batch 1; ORT itself would refuse 16, but we say so first and more clearly.
    await assert.rejects(session.run({ input: { data: new Float32Array(16 * 3 * 112 * 112), dims: [16, 3, 112, 112] } }), (e) =>
      isFrwError(e, 'MODEL_MISMATCH'));
    await assert.rejects(session.run({ input: { data: new Float32Array(3 * 112 * 112), dims: [3, 112, 112] } }), (e) => isFrwError(e, 'MODEL_MISMATCH'));
    await assert.rejects(session.run({ data: { data: new Float32Array(3 * 112 * 112), dims: [1, 3, 112, 112] } }), (e) => isFrwError(e, 'MODEL_MISMATCH'));
    await assert.rejects(session.run({}), (e) => isFrwError(e, 'MODEL_MISMATCH'));
    await assert.rejects(session.run({ input: { data: new Float32Array(3 * 112 * 112), dims: [1, 3, 112, 112] } }, ['nope']), (e) =>
      isFrwError(e, 'MODEL_MISMATCH'));
  });

  it('reports a missing file as NOT_FOUND and a corrupt one as BAD_INPUT', async () => {
    await assert.rejects(createOnnxSession(path.join(tmp, 'absent.onnx'), { threads: 1 }), (e) => isFrwError(e, 'NOT_FOUND'));
    const junk = path.join(tmp, 'junk.onnx');
    await writeFile(junk, 'not a model');
    await assert.rejects(createOnnxSession(junk, { threads: 1 }), (e) => isFrwError(e, 'BAD_INPUT') && e.message.includes(junk));
  });
});

import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { isFrwError } from '../../core/errors.js';
import type { ModelCard } from '../../models/card.js';
import { modelCost, onnxCost } from '../../models/cost.js';
import { resolveModelFile } from '../../models/files.js';
import { getCard } from '../../models/registry.js';
import { onnxCostByNode } from '../../models/runtime/onnx-cost.js';
import { openGraph } from '../../models/runtime/onnx-proto.js';
import { concatBytes, encodeField, encodeVarint, readFields, varintOf } from '../../models/runtime/protobuf.js';
import { MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';

const noUser = path.join(tempWorkspace(), 'models');
const fileOf = (id: string) => resolveModelFile(getCard(id, noUser), MODEL_ROOT);

// A hand-written ONNX model, small enough to count by hand.
const te = new TextEncoder();
const L = (no: number, p: Uint8Array | string) => encodeField(no, 2, typeof p === 'string' ? te.encode(p) : p);
const V = (no: number, n: number) => encodeField(no, 0, encodeVarint(n));
const m = (...parts: Uint8Array[]) => concatBytes(parts);
const floats = (name: string, dims: number[]) => L(5, m(...dims.map((d) => V(1, d)), V(2, 1), L(8, name), L(9, new Uint8Array(4 * dims.reduce((a, b) => a * b, 1)).fill(0x3c))));
const int64s = (name: string, v: number[]) => {
  const raw = new Uint8Array(8 * v.length);
  v.forEach((x, i) => new DataView(raw.buffer).setBigInt64(8 * i, BigInt(x), true));
  return L(5, m(V(1, v.length), V(2, 7), L(8, name), L(9, raw)));
};
const tensorValue = (no: number, name: string, dims: number[]) => L(no, m(L(1, name), L(2, L(1, m(V(1, 1), L(2, m(...dims.map((d) => L(1, V(1, d))))))))));
const intAttr = (name: string, i: number) => L(5, m(L(1, name), V(20, 2), V(3, i)));
const intsAttr = (name: string, v: number[]) => L(5, m(L(1, name), V(20, 7), ...v.map((x) => V(8, x))));
const node = (op: string, ins: string[], out: string, ...attrs: Uint8Array[]) => L(1, m(...ins.map((i) => L(1, i)), L(2, out), L(4, op), ...attrs));

/**
 * x [1,4,10,10] → Conv(W [6,2,3,3], group 2, stride 2, pad 1) → [1,6,5,5] → Reshape [150,1] → Gemm(transA, B
 * [150,7], C [7]) → [1,7] → MatMul(M [7,3]) → [1,3].
 */
const TINY = m(
  V(1, 8),
  L(7, m(
    node('Conv', ['x', 'W'], 'c', intAttr('group', 2), intsAttr('strides', [2, 2]), intsAttr('pads', [1, 1, 1, 1])),
    node('Reshape', ['c', 'shape'], 'r'),
    node('Gemm', ['r', 'B', 'C'], 'g', intAttr('transA', 1)),
    node('MatMul', ['g', 'M'], 'y'),
    L(2, 'tiny'),
    floats('W', [6, 2, 3, 3]), int64s('shape', [150, 1]), floats('B', [150, 7]), floats('C', [7]), floats('M', [7, 3]),
    tensorValue(11, 'x', [1, 4, 10, 10]),
    tensorValue(12, 'y', [1, 3]),
  )),
  L(8, m(L(1, ''), V(2, 13))),
);

describe('onnxCost', () => {
  it('counts a hand-written Conv, Gemm and MatMul exactly as by hand', async () => {
    const c = await onnxCostByNode(TINY);
    assert.equal(c.parameters, 6 * 2 * 3 * 3 + 150 * 7 + 7 + 7 * 3, 'the int64 Reshape shape is not a parameter');
    assert.deepEqual(c.nodes.map((n) => [n.op, n.macs]), [
      ['Conv', 6 * 5 * 5 * (4 / 2) * 3 * 3], // N·Cout·Hout·Wout·(Cin/group)·kh·kw
      ['Gemm', 1 * 150 * 7], // M·K·N, K read from A's first axis because transA is set
      ['MatMul', 1 * 7 * 3],
    ]);
    assert.equal(c.multiplyAdds, 2700 + 1050 + 21);
    assert.match(c.method, /1 Conv, 1 Gemm, 1 MatMul/);
  });

  it('mobilefacenet: 989,952 parameters (= float32 initializer bytes / 4) and 233.8 M multiply-adds, its first Conv as by hand', async () => {
    const file = fileOf('mobilefacenet');
    const c = await onnxCostByNode(file);
    // Independently of the element counts: the bytes of the float32 initializers, 4 each.
    const g = openGraph(new Uint8Array(fs.readFileSync(file)), file);
    let floatBytes = 0;
    for (const f of g.fields.filter((x) => x.no === 5)) {
      const t = readFields(f.payload);
      if (varintOf(t.find((x) => x.no === 2)!) === 1n) floatBytes += t.find((x) => x.no === 9)!.payload.length;
    }
    assert.equal(c.parameters, floatBytes / 4);
    assert.equal(c.parameters, 989_952);
    // conv1: 3 → 64 channels, 3×3, stride 2: 112² → 56².
    assert.deepEqual(c.nodes[0], { op: 'Conv', output: '/conv1/conv1.0/Conv_output_0', macs: 64 * 56 * 56 * 3 * 3 * 3 });
    assert.equal(c.nodes[1].macs, 64 * 56 * 56 * 3 * 3, 'a depthwise 3×3 (group = channels) costs kh·kw per output');
    assert.equal(c.nodes.length, 51);
    assert.equal(c.multiplyAdds, 233_810_432);
    const plain = await onnxCost(file);
    assert.deepEqual(Object.keys(plain).sort(), ['method', 'multiplyAdds', 'parameters']);
  });

  it('fr_feature: 1,190,336 parameters (its int64 Reshape shape left out) and 221.2 M multiply-adds', async () => {
    const c = await onnxCost(fileOf('fr-feature'));
    assert.deepEqual([c.parameters, c.multiplyAdds], [1_190_336, 221_161_984]);
    assert.match(c.method, /133 floating-point or 8-bit initializers \(1 integer/);
  });

  it('a detector with free input sizes gets parameters and a reason instead of multiply-adds', async () => {
    const c = await onnxCost(fileOf('scrfd-2.5g'));
    assert.equal(c.parameters, 817_945);
    assert.equal(c.multiplyAdds, null);
    assert.match(c.method, /not counted: input 'input\.1' has free sizes other than the batch/);
  });

  it('malformed bytes and missing files are clear errors', async () => {
    await assert.rejects(onnxCost(te.encode('not a model')), (e) => isFrwError(e, 'BAD_INPUT'));
    await assert.rejects(onnxCost(TINY.subarray(0, 40)), (e) => isFrwError(e, 'BAD_INPUT'));
    await assert.rejects(onnxCost(path.join(noUser, 'absent.onnx')), (e) => isFrwError(e, 'NOT_FOUND'));
  });
});

describe('modelCost', () => {
  it('dispatches on the card format: ONNX measured, TF.js from its manifest, others refused by name', async () => {
    const onnx = await modelCost(getCard('mobilefacenet', noUser), fileOf('mobilefacenet'));
    assert.equal(onnx.multiplyAdds, 233_810_432);

    const tfjsCard = getCard('human-mobileface', noUser);
    const tfjs = await modelCost(tfjsCard, fileOf('human-mobileface'));
    // The shard holds every weight, float32 and int32 helpers alike, 4 bytes each.
    const json = JSON.parse(fs.readFileSync(fileOf('human-mobileface'), 'utf8')) as { weightsManifest: Array<{ paths: string[]; weights: Array<{ shape: number[]; dtype: string }> }> };
    const ints = json.weightsManifest.flatMap((g) => g.weights).filter((w) => w.dtype === 'int32').reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
    const shardBytes = json.weightsManifest.flatMap((g) => g.paths).reduce((n, p) => n + fs.statSync(path.join(path.dirname(fileOf('human-mobileface')), p)).size, 0);
    assert.equal((tfjs.parameters + ints) * 4, shardBytes);
    assert.equal(tfjs.parameters, 545_692);
    assert.equal(tfjs.multiplyAdds, null);
    assert.match(tfjs.method, /multiply-adds are not counted for TF\.js/);

    const card = { ...getCard('mobilefacenet', noUser), format: 'caffe' } as unknown as ModelCard;
    await assert.rejects(modelCost(card, fileOf('mobilefacenet')), (e) => isFrwError(e, 'UNSUPPORTED') && e.message.includes(`'caffe'`));
  });

  it('counts a Keras checkpoint from its planned graph', async () => {
    // shared/README.md: the GhostFaceNet file holds 722,364 weights. Multiply-adds: tests/models/ghostfacenet.test.ts.
    const ghost = await modelCost(getCard('ghostfacenet-w0.5-s2', noUser), fileOf('ghostfacenet-w0.5-s2'));
    assert.equal(ghost.parameters, 722_364);
    assert.equal(ghost.multiplyAdds, 10_715_866);
    assert.match(ghost.method, /710740 trainable/);
  });
});

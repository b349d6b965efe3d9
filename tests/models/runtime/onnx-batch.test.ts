import { afterEach, describe, it, vi } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { isFrwError } from '../../../core/errors.js';
import { DEFAULT_DECODE, type RgbImage } from '../../../datasets/image.js';
import { acquireFace } from '../../../models/acquire.js';
import type { EmbedderCard } from '../../../models/card.js';
import { batchSizeOf, embedFaces } from '../../../models/embedder.js';
import { modelDigest, resolveModelFile } from '../../../models/files.js';
import { loadModel, type LoadedModel } from '../../../models/load.js';
import { getDetectorCard, getEmbedderCard } from '../../../models/registry.js';
import { freeBatchDim } from '../../../models/runtime/onnx-batch.js';
import { openGraph, readInitializers, readNodes } from '../../../models/runtime/onnx-proto.js';
import { createOnnxSession } from '../../../models/runtime/onnx.js';
import { concatBytes, encodeField, encodeFields, encodeVarint, readFields } from '../../../models/runtime/protobuf.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace } from '../../helpers/shared.js';

const noUser = path.join(tempWorkspace(), 'models');
const EMBEDDERS = ['mobilefacenet', 'fr-feature'].map((id) => getEmbedderCard(id, noUser));
const fileOf = (card: EmbedderCard) => resolveModelFile(card, MODEL_ROOT);
const bytesOf = (card: EmbedderCard) => new Uint8Array(fs.readFileSync(fileOf(card)));
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));

// Hand-built protobuf: length-delimited (string or message), varint, fixed 64 and fixed 32 fields.
const te = new TextEncoder();
const L = (no: number, p: Uint8Array | string) => encodeField(no, 2, typeof p === 'string' ? te.encode(p) : p);
const V = (no: number, n: number | bigint) => encodeField(no, 0, encodeVarint(n));
const I64 = (no: number) => encodeField(no, 1, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
const I32 = (no: number) => encodeField(no, 5, Uint8Array.of(9, 8, 7, 6));
const m = (...parts: Uint8Array[]) => concatBytes(parts);
const int64s = (...v: number[]) => {
  const b = new Uint8Array(8 * v.length);
  v.forEach((x, i) => new DataView(b.buffer).setBigInt64(8 * i, BigInt(x), true));
  return b;
};

/**
 * A model with unknown fields of every wire type at every level the rewrite walks, a denotation on the batch
 * dimension, value_info, and three Reshapes: one flattening the input with an initializer [flat0, -1] (the one
 * rewritten), one with allowzero set and one whose shape constant an Add also reads (both left alone).
 */
function tinyModel(batch: Uint8Array, flat0 = 1, valueInfo = true): Uint8Array {
  const dims = (first: Uint8Array) => {
    const shape = m(L(1, first), L(1, m(V(1, 8), V(50, 3))));
    const tensor = m(V(1, 1), L(2, shape), I32(77));
    return L(2, m(L(1, tensor), I64(78))); // ValueInfoProto.type
  };
  const vi = (name: string, first: Uint8Array) => m(L(1, name), dims(first), L(3, 'a doc string'), V(90, 5));
  const dim = (d: Uint8Array) => m(d, L(3, 'DATA_BATCH'), I64(60));
  const init = (name: string, v: number[]) => L(5, m(V(1, v.length), V(2, 7), L(8, name), L(9, int64s(...v)), V(99, 1)));
  const node = (op: string, ins: string[], outs: string[], attrs: Uint8Array[] = []) => L(1, m(...ins.map((i) => L(1, i)), ...outs.map((o) => L(2, o)), L(4, op), ...attrs));
  const graph = m(
    node('Reshape', ['x', 'flat'], ['y']),
    node('Reshape', ['x', 'flat2'], ['z'], [L(5, m(L(1, 'allowzero'), V(3, 1), V(20, 2)))]),
    node('Reshape', ['x', 'shared'], ['w']),
    node('Add', ['shared', 'shared'], ['unused']),
    L(2, 'tiny'),
    init('flat', [flat0, -1]),
    init('flat2', [1, -1]),
    init('shared', [1, -1]),
    L(11, vi('x', dim(batch))),
    L(12, vi('y', dim(batch))),
    valueInfo ? L(13, vi('z', dim(V(1, 1)))) : new Uint8Array(0),
    L(99, 'an unknown graph field'),
  );
  return m(V(1, 8), I64(20), L(7, graph), I32(21), L(14, m(L(1, 'k'), L(2, 'v'))), V(22, 300));
}

/** Which fields of which ONNX messages are messages themselves (the rest are numbers, strings, raw bytes). */
const SCHEMA: Record<string, Record<number, string>> = {
  model: { 7: 'graph', 8: 'opset', 14: 'entry' },
  graph: { 1: 'node', 5: 'tensor', 11: 'value', 12: 'value', 13: 'value' },
  node: { 5: 'attribute' },
  attribute: { 5: 'tensor' },
  value: { 2: 'type' },
  type: { 1: 'tensorType' },
  tensorType: { 2: 'shape' },
  shape: { 1: 'dim' },
};
/** A message rebuilt from its leaves: every tag and length of every nested message computed afresh. */
function reencode(bytes: Uint8Array, kind: string): Uint8Array {
  const sub = SCHEMA[kind] ?? {};
  return encodeFields(readFields(bytes).map((f) => (sub[f.no] && f.wire === 2 ? { ...f, payload: reencode(f.payload, sub[f.no]) } : f)));
}

describe('the protobuf reader and writer', () => {
  it('re-encoding a parsed model from its fields, every nested message included, gives back the same bytes', () => {
    for (const bytes of [...EMBEDDERS.map(bytesOf), tinyModel(V(1, 1))]) {
      const again = reencode(bytes, 'model');
      assert.notEqual(again, bytes);
      assert.ok(same(again, bytes));
    }
    // The walk does reach the dimensions: a dimension framed with a padded length (0x82 0x00 for 2) comes back canonical.
    const padded = m(L(7, L(11, m(L(1, 'x'), L(2, L(1, L(2, Uint8Array.of(0x0a, 0x82, 0x00, 0x08, 0x01))))))));
    assert.ok(!same(reencode(padded, 'model'), padded));
  });

  it('malformed bytes give BAD_INPUT naming the problem, never a crash, whatever byte is broken', () => {
    const cases: Array<[Uint8Array, RegExp]> = [
      [Uint8Array.of(0x0a, 0x05, 0x01), /claims 5 bytes, only 1 remain/],
      [Uint8Array.of(0x0b), /wire type 3/],
      [Uint8Array.of(0x08, ...new Array(10).fill(0xff), 0x01), /longer than 10 bytes/],
      [Uint8Array.of(0x08), /runs past the end/],
      [te.encode('not a model'), /not a valid protobuf/],
      [V(1, 7), /expected one graph \(field 7\), found 0/],
      [V(7, 1), /found 1/],
      [bytesOf(EMBEDDERS[0]).subarray(0, 100_000), /not a valid protobuf/],
    ];
    for (const [bytes, msg] of cases) {
      assert.throws(() => freeBatchDim(bytes, 'x.onnx'), (e) => isFrwError(e, 'BAD_INPUT') && msg.test(e.message) && e.message.includes('x.onnx'), msg.source);
    }
    const good = tinyModel(V(1, 1));
    for (let i = 0; i < good.length; i++) {
      for (const b of [0x00, 0x07, 0x80, 0xff]) {
        const bad = new Uint8Array(good);
        bad[i] = b;
        try {
          freeBatchDim(bad);
        } catch (e) {
          assert.ok(isFrwError(e, 'BAD_INPUT'), `byte ${i} = ${b}: ${e}`);
        }
      }
      try {
        freeBatchDim(good.subarray(0, i));
      } catch (e) {
        assert.ok(isFrwError(e, 'BAD_INPUT'), `cut at ${i}: ${e}`);
      }
    }
  });
});

describe('freeBatchDim', () => {
  it('changes exactly the batch dimensions, the flattening Reshape and value_info, and copies every other byte', () => {
    const r = freeBatchDim(tinyModel(V(1, 1)));
    assert.ok(r.ok);
    // Expected by construction: the same model written with dim_param "batch", [0, -1] as the flattening shape, no value_info.
    const expected = tinyModel(L(2, 'batch'), 0, false);
    assert.ok(same(r.bytes, expected), 'rewritten bytes equal the hand-built expectation');
    assert.deepEqual([r.inputs, r.outputs, r.reshapes, r.droppedValueInfo], [['x'], ['y'], ['y'], 1]);
    // Already free: nothing to do, and it says why.
    const again = freeBatchDim(r.bytes);
    assert.ok(!again.ok && /first dimension 'batch', not a fixed 1/.test(again.reason));
  });

  it('both shipped ONNX embedders then declare a free batch; nodes and weights are the file\'s own bytes', async () => {
    for (const card of EMBEDDERS) {
      const bytes = bytesOf(card);
      const r = freeBatchDim(bytes, card.id);
      assert.ok(r.ok, card.id);
      assert.deepEqual([r.inputs, r.outputs, r.reshapes], [['input'], ['output'], ['output']], card.id);
      const a = openGraph(bytes, card.id);
      const b = openGraph(r.bytes, card.id);
      assert.deepEqual(b.modelFields.map((f) => f.no), a.modelFields.map((f) => f.no));
      a.modelFields.forEach((f, i) => f.no !== 7 && assert.ok(same(f.raw, b.modelFields[i].raw)));
      // Same fields in the same order; all but the input, the output and the one Reshape shape are byte-identical.
      assert.deepEqual(b.fields.map((f) => f.no), a.fields.map((f) => f.no));
      const shapeName = readNodes(a, card.id).find((n) => n.op === 'Reshape')!.inputs[1];
      const edited = a.fields.flatMap((f, i) => (same(f.raw, b.fields[i].raw) ? [] : [i]));
      const holder = readInitializers(a, card.id).find((i) => i.name === shapeName) ?? readNodes(a, card.id).find((n) => n.op === 'Constant' && n.outputs[0] === shapeName);
      const shapeField = a.fields.indexOf(holder!.field);
      assert.deepEqual(edited, [shapeField, a.fields.findIndex((f) => f.no === 11), a.fields.findIndex((f) => f.no === 12)].sort((x, y) => x - y), card.id);
      // Through ORT: what the session declares when asked, and by default (the file as declared; see onnx.ts).
      const model = await loadModel(card, { modelRoot: MODEL_ROOT, threads: 1 });
      assert.equal(model.sha256, card.sha256);
      assert.deepEqual(model.session.inputs, [{ name: 'input', shape: [1, 3, 112, 112] }]);
      assert.equal(batchSizeOf(model), 1);
      const free: LoadedModel<EmbedderCard> = { ...model, session: await createOnnxSession(model.file, { threads: 1, freeBatch: true }) };
      assert.deepEqual(free.session.inputs, [{ name: 'input', shape: ['batch', 3, 112, 112] }]);
      assert.deepEqual(free.session.outputs, [{ name: 'output', shape: ['batch', card.output.dim] }]);
      assert.equal(batchSizeOf(free), 16);
      // The file on disk is what the digest covers, untouched by the rewrite.
      assert.equal(await modelDigest(model.file, 'onnx'), card.sha256);
      await Promise.all([model.session.dispose(), free.session.dispose()]);
    }
  });

  it('models without a batch-major fixed 1 are left alone, saying why', () => {
    const scrfd = freeBatchDim(new Uint8Array(fs.readFileSync(path.join(MODEL_ROOT, 'scrfd_2.5g_bnkps.onnx'))));
    assert.ok(!scrfd.ok && /output '446' has first dimension unknown/.test(scrfd.reason));
    const tinyFree = freeBatchDim(tinyModel(L(2, 'n')));
    assert.ok(!tinyFree.ok && /input 'x' has first dimension 'n'/.test(tinyFree.reason));
  });
});

describe('createOnnxSession with a free batch', () => {
  afterEach(() => vi.restoreAllMocks());

  it('falls back to batch 1, saying so, when a batched run differs from single runs (SCRFD-500M broadcasts a fixed-size Resize)', async () => {
    const file = path.join(MODEL_ROOT, 'scrfd_500m_bnkps.onnx');
    // The rewrite itself applies (declared batch-major), so only the load-time check can refuse it.
    assert.ok(freeBatchDim(new Uint8Array(fs.readFileSync(file))).ok);
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (written.push(String(s)), true));
    const s = await createOnnxSession(file, { threads: 1, freeBatch: true });
    vi.restoreAllMocks();
    assert.deepEqual(s.inputs, [{ name: 'input.1', shape: [1, 3, 640, 640] }]);
    assert.ok(written.some((w) => w.includes(file) && /free batch was refused.*sample 1 differs by/.test(w)), written.join(''));
    const out = await s.run({ 'input.1': { data: new Float32Array(3 * 640 * 640), dims: [1, 3, 640, 640] } });
    assert.deepEqual(out.score_8!.dims, [1, 12800, 1]);
    await s.dispose();
  });

  it('a batch of 16 real aligned faces embeds as 16 single runs do (max abs diff ≤ 1e-5)', async () => {
    const root = path.join(DATA_ROOT, 'lfw-mini');
    const files = fs.readdirSync(root).filter((d) => fs.statSync(path.join(root, d)).isDirectory()).sort()
      .flatMap((d) => fs.readdirSync(path.join(root, d)).sort().map((f) => path.join(root, d, f))).slice(0, 16);
    const det = await loadModel(getDetectorCard('scrfd-2.5g', noUser), { modelRoot: MODEL_ROOT, threads: 1 });
    const faces: RgbImage[] = [];
    for (const f of files) faces.push((await acquireFace(f, det, { decode: DEFAULT_DECODE, detect: {}, policy: 'central-largest', align: { size: 112, margin: 0 } })).aligned);
    await det.session.dispose();
    assert.equal(faces.length, 16);
    for (const card of EMBEDDERS) {
      const single = await loadModel(card, { modelRoot: MODEL_ROOT, threads: 1 });
      const free: LoadedModel<EmbedderCard> = { ...single, session: await createOnnxSession(single.file, { threads: 1, freeBatch: true }) };
      assert.deepEqual([batchSizeOf(free), batchSizeOf(single)], [16, 1]);
      const run = vi.spyOn(free.session, 'run');
      const batched = await embedFaces(free, faces, { flip: false });
      assert.equal(run.mock.calls.length, 1, 'one run for 16 faces');
      assert.deepEqual(run.mock.calls[0][0].input!.dims, [16, 3, 112, 112]);
      const alone = await embedFaces(single, faces, { flip: false });
      let diff = 0;
      batched.forEach((v, i) => v.forEach((x, k) => (diff = Math.max(diff, Math.abs(x - alone[i][k])))));
      assert.ok(diff <= 1e-5, `${card.id}: max abs diff ${diff}`);
      // The faces are distinct people: a batch that repeated one face would not pass as "the same embeddings".
      const cos = batched[0].reduce((s, x, k) => s + x * batched[15][k], 0);
      assert.ok(cos < 0.9, `${card.id}: faces 0 and 15 have cosine ${cos}`);
      await free.session.dispose();
      await single.session.dispose();
    }
  });
});

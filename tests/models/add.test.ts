import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { addModel } from '../../models/add.js';
import { listCards, getEmbedderCard } from '../../models/registry.js';
import { resolveModelFile } from '../../models/files.js';
import { MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';
import type { FrwError } from '../../core/errors.js';

const MFN = path.join(MODEL_ROOT, 'mobilefacenet.onnx');
const baseCard = () => ({
  id: 'my-mfn',
  name: 'my MobileFaceNet export',
  task: 'embedding',
  format: 'onnx',
  input: { name: 'input', shape: [1, 3, 112, 112], layout: 'NCHW', channelOrder: 'RGB', mean: [127.5, 127.5, 127.5], std: [128, 128, 128] },
  output: { name: 'output', dim: 128 },
  alignment: { size: 112, margin: 0 },
  licence: 'test',
  provenance: 'test',
});
const code = (c: string) => (e: unknown) => (e as FrwError).code === c;

test('a correct card is checked against the model, pinned to its sha256 and saved', async () => {
  const dir = path.join(tempWorkspace(), 'models');
  const res = await addModel({ modelFile: MFN, card: baseCard(), userModelsDir: dir, modelRoot: MODEL_ROOT });
  assert.equal(res.card.sha256, 'e72a5710cce378dc46472b6b845cb90647634f2738d8c3e581735cf195b9866f'); // shared/README.md prefix e72a5710
  assert.ok(fs.existsSync(res.cardPath));
  const listed = listCards(dir).find((r) => r.card.id === 'my-mfn');
  assert.equal(listed?.origin, 'user');
  assert.equal(resolveModelFile(getEmbedderCard('my-mfn', dir), MODEL_ROOT), MFN);
  await assert.rejects(addModel({ modelFile: MFN, card: baseCard(), userModelsDir: dir, modelRoot: MODEL_ROOT }), code('CONFLICT'));
  await assert.rejects(addModel({ modelFile: MFN, card: { ...baseCard(), id: 'fr-feature' }, userModelsDir: dir, modelRoot: MODEL_ROOT }), code('CONFLICT'));
});

test('a card claiming NHWC 1×112×112×3 for an NCHW model is refused, naming both shapes', async () => {
  const dir = path.join(tempWorkspace(), 'models');
  const card = { ...baseCard(), input: { ...baseCard().input, shape: [1, 112, 112, 3], layout: 'NHWC' } };
  await assert.rejects(addModel({ modelFile: MFN, card, userModelsDir: dir, modelRoot: MODEL_ROOT }), (e: FrwError) => {
    assert.equal(e.code, 'MODEL_MISMATCH');
    assert.match(e.message, /card 112, model 3/);
    return true;
  });
  assert.equal(fs.existsSync(path.join(dir, 'my-mfn.json')), false, 'nothing saved on failure');
});

test('a wrong output dimension or names are refused with what the model really has', async () => {
  const dir = path.join(tempWorkspace(), 'models');
  await assert.rejects(addModel({ modelFile: MFN, card: { ...baseCard(), output: { name: 'output', dim: 512 } }, userModelsDir: dir, modelRoot: MODEL_ROOT }), (e: FrwError) => e.code === 'MODEL_MISMATCH' && /128 values per face/.test(e.message));
  await assert.rejects(addModel({ modelFile: MFN, card: { ...baseCard(), input: { ...baseCard().input, name: 'data' } }, userModelsDir: dir, modelRoot: MODEL_ROOT }), (e: FrwError) => e.code === 'MODEL_MISMATCH' && /model inputs: input \[1,3,112,112\]/.test(e.message));
  await assert.rejects(addModel({ modelFile: MFN, card: { ...baseCard(), output: { name: 'fc1', dim: 128 } }, userModelsDir: dir, modelRoot: MODEL_ROOT }), code('MODEL_MISMATCH'));
});

test('malformed cards, wrong pinned hashes and missing files get clear errors', async () => {
  const dir = path.join(tempWorkspace(), 'models');
  await assert.rejects(addModel({ modelFile: MFN, card: { ...baseCard(), input: { layout: 'CHW' }, alignment: undefined }, userModelsDir: dir, modelRoot: MODEL_ROOT }), (e: FrwError) => {
    assert.equal(e.code, 'BAD_INPUT');
    for (const what of ['input.name', 'input.layout', 'input.mean', 'input.shape', 'alignment.size']) assert.ok(e.message.includes(what), what);
    return true;
  });
  await assert.rejects(addModel({ modelFile: MFN, card: { ...baseCard(), sha256: 'a'.repeat(64) }, userModelsDir: dir, modelRoot: MODEL_ROOT }), code('INTEGRITY'));
  await assert.rejects(addModel({ modelFile: MFN + '.missing', card: baseCard(), userModelsDir: dir, modelRoot: MODEL_ROOT }), code('NOT_FOUND'));
  await assert.rejects(addModel({ modelFile: MFN, card: { ...baseCard(), format: 'pt' }, userModelsDir: dir, modelRoot: MODEL_ROOT }), code('BAD_INPUT'));
});

test('an NHWC TF.js graph model registers with an NHWC card', async () => {
  const dir = path.join(tempWorkspace(), 'models');
  const shipped = getEmbedderCard('human-mobileface', dir);
  const file = resolveModelFile(shipped, MODEL_ROOT);
  const { sha256: _s, file: _f, ...rest } = shipped;
  const res = await addModel({ modelFile: file, card: { ...rest, id: 'my-mobileface' }, userModelsDir: dir, modelRoot: MODEL_ROOT });
  assert.equal(res.card.sha256, shipped.sha256);
});

test('a card whose pinned sha256 no longer matches its file is refused at load', async () => {
  const ws = tempWorkspace();
  const dir = path.join(ws, 'models');
  const copy = path.join(ws, 'mfn.onnx');
  fs.copyFileSync(MFN, copy);
  await addModel({ modelFile: copy, card: baseCard(), userModelsDir: dir, modelRoot: MODEL_ROOT });
  fs.appendFileSync(copy, Buffer.from([0]));
  const { loadModel } = await import('../../models/load.js');
  await assert.rejects(loadModel(getEmbedderCard('my-mfn', dir), { modelRoot: MODEL_ROOT, threads: 1 }), code('INTEGRITY'));
});

test('a Keras .h5 checkpoint registers with a keras-h5 card, checked by one real inference', async () => {
  const ws = tempWorkspace();
  const dir = path.join(ws, 'models');
  // `frw model add ghost.h5 --card ghost.json` with a user's copy of the GhostFaceNet file.
  const copy = path.join(ws, 'ghost.h5');
  fs.copyFileSync(path.join(MODEL_ROOT, 'GN_W0.5_S2_ArcFace_epoch16.h5'), copy);
  const card = {
    ...baseCard(),
    id: 'my-ghost',
    format: 'keras-h5',
    input: { name: 'input_2', shape: [-1, 112, 112, 3], layout: 'NHWC', channelOrder: 'RGB', mean: [127.5, 127.5, 127.5], std: [128, 128, 128] },
    output: { name: 'embedding', dim: 512 },
  };
  const res = await addModel({ modelFile: copy, card, userModelsDir: dir, modelRoot: MODEL_ROOT });
  assert.equal(res.card.sha256.slice(0, 8), '2beca52a'); // shared/README.md
  await assert.rejects(addModel({ modelFile: copy, card: { ...card, id: 'ghost-2', output: { name: 'embedding', dim: 128 } }, userModelsDir: dir, modelRoot: MODEL_ROOT }), (e: FrwError) => e.code === 'MODEL_MISMATCH' && /512 values per face/.test(e.message));
  await assert.rejects(addModel({ modelFile: copy, card: { ...card, id: 'ghost-3', output: { name: 'logits', dim: 512 } }, userModelsDir: dir, modelRoot: MODEL_ROOT }), (e: FrwError) => e.code === 'MODEL_MISMATCH' && /outputs: embedding \[-1,512\]/.test(e.message));
  // The code-built architecture named in the card loads the same file's weights (its input layer is `input`).
  const built = { ...card, input: { ...card.input, name: 'input' } };
  const arch = await addModel({ modelFile: copy, card: { ...built, id: 'ghost-4', architecture: { name: 'ghostfacenet-v1', width: 0.5, stride: 2 } }, userModelsDir: dir, modelRoot: MODEL_ROOT });
  assert.equal(arch.card.sha256, res.card.sha256);
  await assert.rejects(addModel({ modelFile: copy, card: { ...built, id: 'ghost-5', architecture: { name: 'ghostfacenet-v1', width: 1.3, stride: 2 } }, userModelsDir: dir, modelRoot: MODEL_ROOT }), (e: FrwError) => e.code === 'MODEL_MISMATCH' && /layer 'conv2d'/.test(e.message));
  assert.deepEqual(fs.readdirSync(dir).sort(), ['ghost-4.json', 'my-ghost.json']);
});

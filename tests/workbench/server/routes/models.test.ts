import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MODEL_ROOT, tempWorkspace, testConfig } from '../../../helpers/shared.js';
import { startWorkbench, type RunningWorkbench } from '../../../helpers/workbench.js';

const ws = tempWorkspace();
let wb: RunningWorkbench;
beforeAll(async () => {
  wb = await startWorkbench(testConfig(ws));
});
afterAll(() => wb.close());

const mobilefacenetCard = (id: string) => {
  const { file: _f, sha256: _s, reference: _r, ...card } = JSON.parse(fs.readFileSync(path.resolve('models/cards/mobilefacenet.json'), 'utf8'));
  return { ...card, id, name: `${id} (test upload)` };
};
const upload = (card: unknown, bytes: Uint8Array, name = 'model.onnx') => {
  const f = new FormData();
  f.set('card', typeof card === 'string' ? card : JSON.stringify(card));
  f.set('file', new Blob([bytes]), name);
  return f;
};
const uploads = () => (fs.existsSync(path.join(ws, 'models', 'files')) ? fs.readdirSync(path.join(ws, 'models', 'files')) : []);

test('every card is listed with licence, provenance and the size of its file', async () => {
  const m = await wb.get('/api/models');
  const mfn = m.body.models.find((c: { id: string }) => c.id === 'mobilefacenet');
  assert.equal(mfn.bytes, fs.statSync(path.join(MODEL_ROOT, 'mobilefacenet.onnx')).size);
  assert.ok(m.body.models.every((c: { licence: string; provenance: string }) => c.licence.length > 0 && c.provenance.length > 0));
  assert.ok(m.body.models.some((c: { task: string }) => c.task === 'detection'));
});

test('an uploaded ONNX checkpoint is checked against its card by a real inference, then offered everywhere', async () => {
  const bytes = new Uint8Array(fs.readFileSync(path.join(MODEL_ROOT, 'mobilefacenet.onnx')));
  // Wrong output size: the test inference catches it and nothing stays behind.
  const wrong = await wb.send('POST', '/api/models', upload({ ...mobilefacenetCard('mfn-wrong'), output: { name: 'output', dim: 512 } }, bytes));
  assert.ok(wrong.status >= 400 && wrong.status < 500, JSON.stringify(wrong.body));
  assert.match(wrong.body.error.message, /512|128|dim/);
  assert.deepEqual(uploads(), []);
  const ok = await wb.send('POST', '/api/models', upload(mobilefacenetCard('mfn-upload'), bytes));
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal(ok.body.model.sha256, 'e72a5710cce378dc46472b6b845cb90647634f2738d8c3e581735cf195b9866f');
  assert.ok((await wb.get('/api/models')).body.models.some((c: { id: string; origin: string }) => c.id === 'mfn-upload'));
  assert.equal((await wb.send('POST', '/api/models', upload(mobilefacenetCard('mfn-upload'), bytes))).status, 409);
  assert.equal(uploads().length, 1, 'one stored file, named by content');
});

test('bad checkpoints and cards are refused plainly; paths outside the model root are refused', async () => {
  const notOnnx = await wb.send('POST', '/api/models', upload(mobilefacenetCard('junk'), new TextEncoder().encode('not a model')));
  assert.ok(notOnnx.status >= 400 && notOnnx.status < 500, JSON.stringify(notOnnx.body));
  assert.equal((await wb.send('POST', '/api/models', upload('{card', new Uint8Array([1])))).status, 400);
  assert.equal((await wb.send('POST', '/api/models', upload({ ...mobilefacenetCard('tf'), format: 'tfjs-graph' }, new Uint8Array([1])))).status, 400);
  const missing = await wb.send('POST', '/api/models', upload({ id: 'half' }, new Uint8Array(fs.readFileSync(path.join(MODEL_ROOT, 'mobilefacenet.onnx')))));
  assert.equal(missing.status, 400);
  assert.equal((await wb.send('POST', '/api/models', { path: '../../etc/passwd', card: mobilefacenetCard('x') })).status, 403);
  assert.equal((await wb.send('POST', '/api/models', { path: 'no-such.onnx', card: mobilefacenetCard('x') })).status, 404);
  assert.equal((await wb.send('POST', '/api/models', { card: mobilefacenetCard('x') })).status, 400);
  assert.equal((await wb.send('POST', '/api/models', '{"path":')).status, 400);
  const byPath = await wb.send('POST', '/api/models', { path: 'mobilefacenet.onnx', card: mobilefacenetCard('mfn-path') });
  assert.equal(byPath.status, 201, JSON.stringify(byPath.body));
  assert.deepEqual(uploads().filter((f) => !f.startsWith('e72a5710')), [], 'refused uploads leave nothing');
});

test('an uploaded Keras .h5 checkpoint registers with a keras-h5 card; a damaged one is refused and not kept', async () => {
  const bytes = new Uint8Array(fs.readFileSync(path.join(MODEL_ROOT, 'GN_W0.5_S2_ArcFace_epoch16.h5')));
  const { file: _f, sha256: _s, reference: _r, ...ghost } = JSON.parse(fs.readFileSync(path.resolve('models/cards/ghostfacenet-w0.5-s2.json'), 'utf8'));
  const card = { ...ghost, id: 'ghost-upload', name: 'ghost (test upload)' };
  const cut = await wb.send('POST', '/api/models', upload({ ...card, id: 'ghost-cut' }, bytes.subarray(0, 1_000_000), 'ghost.h5'));
  assert.equal(cut.status, 400, JSON.stringify(cut.body));
  assert.match(cut.body.error.message, /truncated/);
  assert.ok(!cut.body.error.message.includes(ws), `no server path in ${cut.body.error.message}`);
  const ok = await wb.send('POST', '/api/models', upload(card, bytes, 'ghost.h5'));
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal(ok.body.model.sha256.slice(0, 8), '2beca52a');
  assert.ok(uploads().some((f) => f === `${ok.body.model.sha256}.h5`), 'stored by content with its extension');
  assert.ok(!uploads().some((f) => f.endsWith('.part')), 'no partial upload left');
});

import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../../engine/api/app.js';
import { Engine } from '../../engine/engine.js';
import { buildDeployConfig, finalizeConfig, parseRule } from '../../usecases/export-config.js';
import type { DeployConfig } from '../../engine/deploy-config.js';
import { runCli } from '../helpers/cli.js';
import { DATA_ROOT, MODEL_ROOT, lfwImage, tempWorkspace } from '../helpers/shared.js';
import { SVG_BOMB } from '../helpers/bad-inputs.js';
import crypto from 'node:crypto';
import { pipelineKey, specFromSettings } from '../../pipeline/spec.js';
import sharp from 'sharp';

const KEY = 'test-key-0123456789abcdef';
const ws = tempWorkspace();
const galleryFile = path.join(ws, 'gallery.db');
let config: DeployConfig;
let engine: Engine;
let server: Server;
let base = '';

async function start(): Promise<void> {
  engine = await Engine.open({ config, gallery: galleryFile, modelRoot: MODEL_ROOT });
  server = createApp({ engine, apiKey: KEY, maxUploadBytes: 10 * 1024 * 1024 }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
async function stop(): Promise<void> {
  await new Promise((r) => server.close(r));
  await engine.close();
}

function form(fields: Record<string, string>, files: Array<{ bytes: Uint8Array; type?: string; name?: string }>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const file of files) f.append('image', new Blob([file.bytes], { type: file.type ?? 'image/jpeg' }), file.name ?? 'face.jpg');
  return f;
}
const post = (route: string, body: FormData, key = KEY) => fetch(`${base}${route}`, { method: 'POST', body, headers: { 'x-api-key': key } });
// Response bodies are checked field by field below; their shape is the API's, not a type we import.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json();
const img = (name: string, n = 1) => new Uint8Array(fs.readFileSync(lfwImage(name, n)));

beforeAll(async () => {
  const run = path.join(ws, 'eval');
  const r = await runCli(['eval', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--bootstrap', '0', '--out', run, '--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws]);
  assert.equal(r.code, 0, r.stderr);
  config = finalizeConfig(buildDeployConfig({ runDir: run, model: 'mobilefacenet', mode: 'mean', rule: parseRule('eer'), userModelsDir: path.join(ws, 'models') }));
  await start();
});
afterAll(stop);

test('enrol through the API, check in other photos (recognised) and strangers (unknown), restart, find everything intact', async () => {
  const people = ['Colin_Powell', 'Serena_Williams', 'Tony_Blair'];
  for (const p of people) {
    const r = await post('/v1/enroll', form({ name: p }, [{ bytes: img(p, 1) }, { bytes: img(p, 2) }]));
    assert.equal(r.status, 201, await r.clone().text());
    assert.equal((await json(r)).enrolled, 2);
  }
  for (const p of people) {
    const r = await json(post('/v1/checkin', form({}, [{ bytes: img(p, 3) }])));
    assert.equal(r.identity, p, `${p} recognised (score ${r.score})`);
    assert.ok(r.score >= r.threshold.similarity && r.box && r.latencyMs > 0);
  }
  for (const stranger of ['Aaron_Eckhart', 'Abdel_Madi_Shabneh']) {
    const r = await json(post('/v1/checkin', form({}, [{ bytes: img(stranger) }])));
    assert.equal(r.identity, null, `${stranger} is unknown (score ${r.score})`);
  }
  await stop();
  await start();
  const ids = await json(fetch(`${base}/v1/identities`, { headers: { 'x-api-key': KEY } }));
  assert.deepEqual(ids.identities.map((i: { name: string }) => i.name), [...people].sort());
  const log = await json(fetch(`${base}/v1/attendance`, { headers: { 'x-api-key': KEY } }));
  assert.equal(log.attendance.length, 5);
  assert.deepEqual(log.attendance.map((a: { decision: string }) => a.decision).sort(), ['recognised', 'recognised', 'recognised', 'unknown', 'unknown']);
});

test('keys, sizes, types and faces: each bad input has its status and loses nothing', async () => {
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
  assert.equal((await fetch(`${base}/v1/identities`)).status, 401);
  assert.equal((await fetch(`${base}/v1/identities`, { headers: { 'x-api-key': 'wrong' } })).status, 401);
  const big = await post('/v1/identify', form({}, [{ bytes: new Uint8Array(30 * 1024 * 1024) }]));
  assert.equal(big.status, 413);
  const text = await post('/v1/identify', form({}, [{ bytes: new TextEncoder().encode('hello'), type: 'text/plain', name: 'a.txt' }]));
  assert.equal(text.status, 415);
  // An SVG declared as a PNG is refused from its bytes (415), never rendered.
  const svg = await post('/v1/identify', form({}, [{ bytes: new TextEncoder().encode(SVG_BOMB), type: 'image/png', name: 'face.png' }]));
  assert.equal(svg.status, 415);
  assert.match((await json(svg)).error.message, /SVG is not JPEG, PNG, GIF, WebP, TIFF or PBM\/PGM\/PPM/);
  const noFile = await post('/v1/identify', form({}, []));
  assert.equal(noFile.status, 400);
  const truncated = img('Colin_Powell', 4).subarray(0, 3000);
  const t = await json(post('/v1/identify', form({}, [{ bytes: truncated }])));
  assert.equal(t.failure.reason, 'truncated');
  const enrolNoFace = await post('/v1/enroll', form({ name: 'Nobody' }, [{ bytes: truncated }]));
  assert.equal(enrolNoFace.status, 400);
  assert.match((await json(enrolNoFace)).error.message, /no face could be enrolled/);
  assert.equal((await fetch(`${base}/v1/nothing`, { headers: { 'x-api-key': KEY } })).status, 404);
});

test('small leaks closed: /healthz tells nothing, attendance limits are checked, a face chosen from several is said', async () => {
  assert.deepEqual(await json(fetch(`${base}/healthz`)), { ok: true });
  for (const limit of ['-1', '0', '10001', 'abc']) {
    const r = await fetch(`${base}/v1/attendance?limit=${limit}`, { headers: { 'x-api-key': KEY } });
    assert.equal(r.status, 400, `limit=${limit}`);
  }
  // A group photo: the subject centred, another person at the edge; the policy picks one and the answer says so.
  const other = await sharp(fs.readFileSync(lfwImage('Serena_Williams'))).resize(160, 160).toBuffer();
  const group = await sharp({ create: { width: 560, height: 300, channels: 3, background: { r: 20, g: 20, b: 20 } } })
    .composite([{ input: fs.readFileSync(lfwImage('Aaron_Eckhart')), left: 155, top: 25 }, { input: other, left: 400, top: 0 }])
    .jpeg()
    .toBuffer();
  const r = await json(post('/v1/enroll', form({ name: 'Group_Photo_Subject' }, [{ bytes: new Uint8Array(group) }, { bytes: img('Aaron_Eckhart') }])));
  assert.equal(r.enrolled, 2);
  assert.deepEqual(r.chosenFromSeveral.map((c: { image: number; faces: number }) => [c.image, c.faces]), [[0, 2]]);
  assert.equal((await fetch(`${base}/v1/identities/Group_Photo_Subject`, { method: 'DELETE', headers: { 'x-api-key': KEY } })).status, 204);
});

test('malformed requests are client errors with a code, never a 500', async () => {
  const jpeg = img('Colin_Powell');
  const raw = (route: string, body: string, type: string, method = 'POST') => fetch(`${base}${route}`, { method, body, headers: { 'x-api-key': KEY, 'content-type': type } });
  const expect = async (r: Response, status: number, code: string, what: string) => {
    const body = await json(r);
    assert.deepEqual([r.status, body.error?.code], [status, code], `${what}: ${JSON.stringify(body)}`);
  };
  const wrongField = new FormData();
  wrongField.append('photo', new Blob([jpeg], { type: 'image/jpeg' }), 'a.jpg');
  await expect(await post('/v1/identify', wrongField), 400, 'BAD_INPUT', 'a file in another field');
  await expect(await post('/v1/enroll', form({ name: 'X' }, Array.from({ length: 21 }, () => ({ bytes: jpeg })))), 413, 'TOO_LARGE', '21 files');
  await expect(await post('/v1/enroll', form({ name: 'x'.repeat(2 * 1024 * 1024) }, [{ bytes: jpeg }])), 413, 'TOO_LARGE', 'a 2 MB text field');
  const many = form({}, [{ bytes: jpeg }]);
  for (let i = 0; i < 40; i++) many.append(`f${i}`, 'v');
  await expect(await post('/v1/identify', many), 413, 'TOO_LARGE', '40 fields');
  const b = 'XyZboundary';
  const cut = `--${b}\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n` + 'abc';
  await expect(await raw('/v1/identify', cut, `multipart/form-data; boundary=${b}`), 400, 'BAD_INPUT', 'a multipart body cut off');
  await expect(await raw('/v1/identify', 'hello', 'multipart/form-data'), 400, 'BAD_INPUT', 'multipart without a boundary');
  await expect(await fetch(`${base}/v1/identities/%E0%A4%A`, { method: 'DELETE', headers: { 'x-api-key': KEY } }), 400, 'BAD_INPUT', 'a broken percent-encoding');
  await expect(await raw('/v1/config', 'x'.repeat(2 * 1024 * 1024), 'application/json', 'PUT'), 413, 'TOO_LARGE', 'a 2 MB config');
  await expect(await raw('/v1/identities/Nobody', '{"name":', 'application/json', 'PATCH'), 400, 'BAD_INPUT', 'malformed JSON');
  await expect(await raw('/v1/identities/Nobody', '{"name":{"toString":1}}', 'application/json', 'PATCH'), 400, 'BAD_INPUT', 'a name that is not text');
  await expect(await post('/v1/enroll', form({ name: 'Ada\u0000Lovelace' }, [{ bytes: jpeg }])), 400, 'BAD_INPUT', 'a control character in a name');
  await expect(await raw('/v1/identities/Nobody', '{"name":"A\\u0007b"}', 'application/json', 'PATCH'), 400, 'BAD_INPUT', 'a control character in a new name');
  const nested = form({ 'name[a]': 'x' }, [{ bytes: jpeg }]);
  assert.ok([400].includes((await post('/v1/enroll', nested)).status), 'a nested field name');
  // An in-flight slot comes back after a refused form: the engine still takes image requests afterwards.
  assert.equal((await post('/v1/identify', form({}, [{ bytes: jpeg }]))).status, 200);
});

test('concurrent enrolments of one name end as one identity holding every photo', async () => {
  const name = 'George_W_Bush';
  const results = await Promise.all([1, 2, 3, 4].map((n) => post('/v1/enroll', form({ name }, [{ bytes: img(name, n) }]))));
  for (const r of results) assert.equal(r.status, 201);
  const ids = (await json(fetch(`${base}/v1/identities`, { headers: { 'x-api-key': KEY } }))).identities;
  const bush = ids.filter((i: { name: string }) => i.name === name);
  assert.equal(bush.length, 1);
  assert.equal(bush[0].vectors, 4);
});

test('a gallery exported from one engine imports into a fresh one and recognises the same people', async () => {
  const exported = await engine.exportGallery();
  assert.ok(exported.identities.length >= 3);
  const other = await Engine.open({ config, gallery: path.join(tempWorkspace(), 'copy.db'), modelRoot: MODEL_ROOT });
  try {
    const r = await other.importGallery(JSON.parse(JSON.stringify(exported)));
    assert.equal(r.identities, exported.identities.length);
    assert.deepEqual((await other.identities()).map((i) => [i.name, i.vectors]), (await engine.identities()).map((i) => [i.name, i.vectors]));
    assert.equal((await other.identify(img('Serena_Williams', 5))).identity, 'Serena_Williams');
    await assert.rejects(other.importGallery({ ...exported, pipelineKey: 'f'.repeat(64) }), (e: Error & { code?: string }) => e.code === 'CONFLICT');
  } finally {
    await other.close();
  }
});

test('a group photo is decided by the config policy (the central face), a photo with no face says so', async () => {
  const sharp = (await import('sharp')).default;
  const other = await sharp(Buffer.from(img('Aaron_Eckhart'))).resize(150, 150).toBuffer();
  const group = await sharp({ create: { width: 560, height: 300, channels: 3, background: { r: 30, g: 30, b: 30 } } })
    .composite([{ input: Buffer.from(img('Serena_Williams', 6)), left: 155, top: 25 }, { input: other, left: 405, top: 0 }])
    .jpeg()
    .toBuffer();
  const g = await json(post('/v1/identify', form({}, [{ bytes: new Uint8Array(group) }])));
  assert.equal(g.identity, 'Serena_Williams', `central face chosen (score ${g.score})`);
  const noise = Buffer.alloc(200 * 200 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 251;
  const blank = await sharp(noise, { raw: { width: 200, height: 200, channels: 3 } }).png().toBuffer();
  const n = await json(post('/v1/identify', form({}, [{ bytes: new Uint8Array(blank), type: 'image/png', name: 'x.png' }])));
  assert.equal(n.identity, null);
  assert.equal(n.failure.reason, 'no-face');
});

test('PUT /v1/config takes a new threshold for the same pipeline at once, and refuses another pipeline or an edited file', async () => {
  const run = path.join(ws, 'eval');
  const strict = finalizeConfig(buildDeployConfig({ runDir: run, model: 'mobilefacenet', mode: 'mean', rule: parseRule('fixed=0.99'), userModelsDir: path.join(ws, 'models') }));
  const put = (body: string, key = KEY) => fetch(`${base}/v1/config`, { method: 'PUT', body, headers: { 'x-api-key': key, 'content-type': 'application/json' } });
  assert.equal((await put(JSON.stringify(strict), 'wrong')).status, 401);
  const ok = await put(JSON.stringify(strict));
  assert.equal(ok.status, 200, await ok.clone().text());
  assert.equal((await json(ok)).threshold.similarity, 0.99);
  // At similarity 0.99 nobody enrolled passes: Serena is now "unknown", with the same score as before.
  const r = await json(post('/v1/identify', form({}, [{ bytes: img('Serena_Williams', 5) }])));
  assert.equal(r.identity, null);
  assert.equal(r.threshold.similarity, 0.99);
  const current = await json(fetch(`${base}/v1/config`, { headers: { 'x-api-key': KEY } }));
  assert.equal(current.config.contentHash, strict.contentHash);
  // Another pipeline (flip on: another key, honestly computed) needs a new gallery.
  const flipped = { ...strict.pipeline, flip: true };
  const other = finalizeConfig({ ...strict, pipeline: flipped, pipelineKey: pipelineKey(specFromSettings(flipped, strict.model, strict.detector)) });
  const conflict = await put(JSON.stringify(other));
  assert.equal(conflict.status, 409);
  assert.match((await json(conflict)).error.message, /new gallery/);
  // Forged configs, their content hash recomputed (it is unkeyed): each refused, the running config untouched.
  const forged = [
    // the recorded key kept while the card says another embedding size
    finalizeConfig({ ...strict, model: { ...strict.model, output: { ...strict.model.output, dim: 64 } } }),
    // a key claimed for settings that do not give it
    finalizeConfig({ ...strict, pipelineKey: 'f'.repeat(64) }),
  ];
  for (const f of forged) {
    const r = await put(JSON.stringify(f));
    assert.equal(r.status, 409, await r.clone().text());
    assert.match((await json(r)).error.message, /pipeline settings (give key|disagree with the model cards)/);
  }
  // Model files outside the model root: refused without a path or a digest of what is there.
  const passwdSha = crypto.createHash('sha256').update(fs.readFileSync('/etc/passwd')).digest('hex');
  for (const file of ['/etc/passwd', '../../../../../../etc/passwd', 'npm:onnxruntime-node/../../../../../../etc/passwd']) {
    const r = await put(JSON.stringify(finalizeConfig({ ...strict, detector: { ...strict.detector!, file } })));
    assert.equal(r.status, 403, file);
    const body = await r.text();
    assert.match(body, /OUTSIDE_ROOT/);
    assert.ok(!body.includes(passwdSha) && !body.includes(MODEL_ROOT) && !body.includes('root:'), body);
  }
  assert.equal((await json(fetch(`${base}/v1/config`, { headers: { 'x-api-key': KEY } }))).config.contentHash, strict.contentHash, 'nothing taken');
  assert.equal((await put(JSON.stringify({ ...strict, threshold: { ...strict.threshold, similarity: 0.1 } }))).status, 409, 'content hash mismatch');
  assert.equal((await put('{nope')).status, 400);
  // Back to the run's EER threshold for the other tests.
  assert.equal((await put(JSON.stringify(config))).status, 200);
  assert.equal((await json(post('/v1/identify', form({}, [{ bytes: img('Serena_Williams', 5) }])))).identity, 'Serena_Williams');
});

import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { resolveConfig } from '../../../../core/config.js';
import { runCli } from '../../../helpers/cli.js';
import { MODEL_ROOT, lfwImage, tempWorkspace, testConfig } from '../../../helpers/shared.js';
import { startWorkbench, type RunningWorkbench } from '../../../helpers/workbench.js';

const ws = tempWorkspace();
let wb: RunningWorkbench;
beforeAll(async () => {
  wb = await startWorkbench(testConfig(ws));
});
afterAll(() => wb.close());

test('the data root is listed with each layout; summaries come from the real data; unknown and outside names are refused', async () => {
  const list = await wb.get('/api/datasets');
  assert.equal(list.status, 200);
  const byName = Object.fromEntries(list.body.datasets.map((d: { name: string; kind: string }) => [d.name, d.kind]));
  assert.deepEqual([byName.lfw, byName['lfw-mini'], byName['five-celeb']], ['lfw', 'folder', 'folder']);
  const mini = await wb.get('/api/datasets/lfw-mini');
  assert.equal(mini.body.summary.images, 191);
  assert.equal(mini.body.summary.identities.total, 120);
  assert.equal((await wb.get('/api/datasets/no-such-set')).status, 404);
  assert.equal((await wb.get(`/api/datasets/${encodeURIComponent('../../etc')}`)).status, 403);
  assert.equal((await wb.get(`/api/datasets/${encodeURIComponent('lfw-mini/../lfw')}`)).status, 403);
});

test('images page through the manifest; thumbnails are JPEGs of the dataset’s own images only', async () => {
  const page = await wb.get('/api/datasets/lfw-mini/images?offset=180&limit=50');
  assert.equal(page.body.total, 191);
  assert.equal(page.body.images.length, 11);
  assert.equal((await wb.get('/api/datasets/lfw-mini/images?limit=0')).status, 400);
  const first = page.body.images[0].path;
  const r = await fetch(`${wb.base}/api/datasets/lfw-mini/thumbnail?path=${encodeURIComponent(first)}&size=64`);
  assert.equal(r.headers.get('content-type'), 'image/jpeg');
  const meta = await sharp(Buffer.from(await r.arrayBuffer())).metadata();
  assert.equal(Math.max(meta.width!, meta.height!), 64);
  // A real file of another dataset, reached by traversal, is not one of this dataset's images.
  assert.equal((await wb.get(`/api/datasets/lfw-mini/thumbnail?path=${encodeURIComponent('../lfw/lfw-deepfunneled/Aaron_Eckhart/Aaron_Eckhart_0001.jpg')}`)).status, 404);
  assert.equal((await wb.get('/api/datasets/lfw-mini/thumbnail')).status, 400);
  assert.equal((await wb.get(`/api/datasets/lfw-mini/thumbnail?path=${encodeURIComponent(first)}&size=9000`)).status, 400);
});

test('failures to acquire: "not embedded yet" before, then each failed image with its reason, as frw embed counted them', async () => {
  // A small set with real faces plus a truncated JPEG and an image with no face, in a data root of its own.
  const root = tempWorkspace('frw-data-');
  const set = path.join(root, 'awkward');
  for (const [who, n] of [['Colin_Powell', 2], ['Serena_Williams', 2]] as const) {
    fs.mkdirSync(path.join(set, who), { recursive: true });
    for (let i = 1; i <= n; i++) fs.copyFileSync(lfwImage(who, i), path.join(set, who, `${i}.jpg`));
  }
  fs.writeFileSync(path.join(set, 'Colin_Powell', 'cut.jpg'), fs.readFileSync(lfwImage('Colin_Powell', 3)).subarray(0, 2500));
  const noise = Buffer.alloc(160 * 160 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 251;
  await sharp(noise, { raw: { width: 160, height: 160, channels: 3 } }).png().toFile(path.join(set, 'Serena_Williams', 'noise.png'));
  const cfg = resolveConfig({ dataRoot: root, modelRoot: MODEL_ROOT, workspace: tempWorkspace(), threads: 1 });
  const own = await startWorkbench(cfg);
  try {
    const before = await own.get('/api/datasets/awkward/failures?model=mobilefacenet');
    assert.deepEqual([before.body.embedded, before.body.pending, before.body.failures.length], [0, 6, 0]);
    const e = await runCli(['embed', '--dataset', 'awkward', '--model', 'mobilefacenet', '--data-root', root, '--model-root', MODEL_ROOT, '--workspace', cfg.workspace]);
    assert.equal(e.code, 0, e.stderr);
    const printed = /failures to acquire (\d+)/.exec(e.stdout + e.stderr);
    assert.ok(printed, 'frw embed prints its failure count');
    const after = await own.get('/api/datasets/awkward/failures?model=mobilefacenet');
    assert.equal(after.body.failures.length, Number(printed[1]));
    assert.deepEqual(after.body.failures.map((f: { path: string; reason: string }) => [f.path, f.reason]).sort(), [['Colin_Powell/cut.jpg', 'truncated'], ['Serena_Williams/noise.png', 'no-face']]);
    assert.deepEqual([after.body.embedded, after.body.pending], [4, 0]);
    // The face-less image still has a thumbnail (it decodes); the truncated one answers with its reason.
    assert.equal((await fetch(`${own.base}/api/datasets/awkward/thumbnail?path=${encodeURIComponent('Serena_Williams/noise.png')}`)).status, 200);
    const cut = await own.get(`/api/datasets/awkward/thumbnail?path=${encodeURIComponent('Colin_Powell/cut.jpg')}`);
    assert.equal(cut.status, 400);
    assert.match(cut.body.error.message, /truncated|ends/i);
    assert.equal((await own.get('/api/datasets/awkward/failures')).status, 400);
    assert.equal((await own.get('/api/datasets/awkward/failures?model=no-model')).status, 404);
  } finally {
    await own.close();
  }
});

test('registering the other layouts: an aivivn-style CSV with its unknown label, and an LFW-style folder with pairs.txt', async () => {
  const root = tempWorkspace('frw-data-');
  const people = ['Colin_Powell', 'Serena_Williams', 'Tony_Blair'];
  // aivivn style: train.csv (image,label) over a flat images folder, strangers labelled 1000.
  fs.mkdirSync(path.join(root, 'aivivn', 'images'), { recursive: true });
  const rows = ['image,label'];
  people.forEach((who, label) => [1, 2].forEach((n) => {
    fs.copyFileSync(lfwImage(who, n), path.join(root, 'aivivn', 'images', `${label}_${n}.jpg`));
    rows.push(`${label}_${n}.jpg,${label}`);
  }));
  fs.copyFileSync(lfwImage('Aaron_Eckhart'), path.join(root, 'aivivn', 'images', 'stranger.jpg'));
  rows.push('stranger.jpg,1000');
  fs.writeFileSync(path.join(root, 'aivivn', 'train.csv'), rows.join('\n') + '\n');
  // LFW style: <Name>/<Name>_000n.jpg and a one-fold pairs.txt (1 same, 1 different).
  for (const who of people) {
    fs.mkdirSync(path.join(root, 'lfw-like', who), { recursive: true });
    for (const n of [1, 2]) fs.copyFileSync(lfwImage(who, n), path.join(root, 'lfw-like', who, `${who}_000${n}.jpg`));
  }
  fs.writeFileSync(path.join(root, 'lfw-like', 'pairs.txt'), '2 1\nColin_Powell 1 2\nSerena_Williams 1 Tony_Blair 2\nTony_Blair 1 2\nColin_Powell 2 Serena_Williams 2\n');
  // The same images with a one-fold pairs.txt: k-fold needs two folds, so the protocol is refused before any work.
  fs.cpSync(path.join(root, 'lfw-like'), path.join(root, 'one-fold'), { recursive: true });
  fs.writeFileSync(path.join(root, 'one-fold', 'pairs.txt'), '1 1\nColin_Powell 1 2\nSerena_Williams 1 Tony_Blair 2\n');
  const own = await startWorkbench(resolveConfig({ dataRoot: root, modelRoot: MODEL_ROOT, workspace: tempWorkspace(), threads: 1 }));
  try {
    const csv = await own.send('POST', '/api/datasets', { name: 'aivivn-train', path: 'aivivn/train.csv', kind: 'csv', unknownLabel: '1000', imagesDir: 'aivivn/images' });
    assert.equal(csv.status, 201, JSON.stringify(csv.body));
    assert.deepEqual([csv.body.summary.kind, csv.body.summary.images, csv.body.summary.unknownImages, csv.body.summary.identities.enrolled], ['csv', 7, 1, 3]);
    const lfw = await own.send('POST', '/api/datasets', { name: 'my-lfw', path: 'lfw-like', kind: 'lfw' });
    assert.equal(lfw.status, 201, JSON.stringify(lfw.body));
    assert.deepEqual([lfw.body.summary.kind, lfw.body.summary.pairs.total, lfw.body.summary.pairs.folds], ['lfw', 4, 2]);
    const oneFold = await own.send('POST', '/api/jobs/eval', { dataset: 'one-fold', models: ['mobilefacenet'], protocol: 'lfw-10fold' });
    assert.equal(oneFold.status, 400);
    assert.match(oneFold.body.error.message, /one fold/);
    // A registered set runs like any other: the 10-fold protocol is accepted for the LFW-style one.
    const job = await own.send('POST', '/api/jobs/eval', { dataset: 'my-lfw', models: ['mobilefacenet'], protocol: 'lfw-10fold', bootstrap: 0 });
    assert.equal(job.status, 202, JSON.stringify(job.body));
    assert.match(await (await fetch(`${own.base}/api/jobs/${job.body.job.id}/events`)).text(), /event: done/);
    const kinds = (await own.get('/api/datasets')).body.datasets.map((d: { name: string; kind: string; source: string }) => `${d.name}:${d.kind}:${d.source}`);
    assert.deepEqual(kinds.filter((k: string) => k.includes('registered')), ['aivivn-train:csv:registered', 'my-lfw:lfw:registered']);
    const run = (await own.get(`/api/runs/${job.body.job.runId}`)).body;
    assert.equal(run.metrics.models.mobilefacenet.tenFold.folds.length, 2);
  } finally {
    await own.close();
  }
});

test('registering: a set under the data root is opened once and listed; duplicates, traversal and bad fields are refused', async () => {
  const ok = await wb.send('POST', '/api/datasets', { name: 'mini-again', path: 'lfw-mini', kind: 'folder' });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal(ok.body.summary.images, 191);
  const list = await wb.get('/api/datasets');
  assert.deepEqual(list.body.datasets.find((d: { name: string }) => d.name === 'mini-again'), { name: 'mini-again', source: 'registered', kind: 'folder' });
  assert.equal((await wb.get('/api/datasets/mini-again')).body.summary.images, 191);
  assert.equal((await wb.send('POST', '/api/datasets', { name: 'mini-again', path: 'lfw-mini' })).status, 409);
  assert.equal((await wb.send('POST', '/api/datasets', { name: 'lfw', path: 'lfw-mini' })).status, 409, 'a data-root name');
  assert.equal((await wb.send('POST', '/api/datasets', { name: 'etc', path: '../../etc' })).status, 403);
  assert.equal((await wb.send('POST', '/api/datasets', { name: 'x', path: 'lfw-mini', unknownPath: '/etc' })).status, 403);
  assert.equal((await wb.send('POST', '/api/datasets', { name: 'x', path: 'no-such-folder' })).status, 404);
  assert.equal((await wb.send('POST', '/api/datasets', { name: 'x', path: 'lfw-mini', kind: 'zip' })).status, 400);
  assert.equal((await wb.send('POST', '/api/datasets', { name: '../x', path: 'lfw-mini' })).status, 403);
  assert.equal((await wb.send('POST', '/api/datasets', { path: 'lfw-mini' })).status, 400);
  assert.equal((await wb.send('POST', '/api/datasets', '{"name": ')).status, 400);
  // A CSV layout asked of a folder without a label CSV: refused with the reason, nothing registered.
  const csv = await wb.send('POST', '/api/datasets', { name: 'not-csv', path: 'five-celeb', kind: 'csv' });
  assert.equal(csv.status, 400);
  assert.match(csv.body.error.message, /CSV/);
  assert.ok(!(await wb.get('/api/datasets')).body.datasets.some((d: { name: string }) => d.name === 'not-csv'));
});

import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../../../../engine/api/app.js';
import { Engine } from '../../../../engine/engine.js';
import { buildDeployConfig, finalizeConfig, parseRule } from '../../../../usecases/export-config.js';
import sharp from 'sharp';
import { openDataset } from '../../../../datasets/resolve.js';
import { EmbeddingCache } from '../../../../pipeline/embedding-cache.js';
import { embedFaces } from '../../../../models/embedder.js';
import { loadModel } from '../../../../models/load.js';
import { getEmbedderCard } from '../../../../models/registry.js';
import { runCli } from '../../../helpers/cli.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace, testConfig } from '../../../helpers/shared.js';
import { startWorkbench, type RunningWorkbench } from '../../../helpers/workbench.js';

// Inside a dot folder, as the default workspace (.frw/) is: downloads must be served from there.
const ws = path.join(tempWorkspace(), '.frw');
fs.mkdirSync(ws);
const roots = ['--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws];
const evalId = 'mini-eval';
const idId = 'mini-identify';
let wb: RunningWorkbench;

beforeAll(async () => {
  const e = await runCli(['eval', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--bootstrap', '0', '--out', path.join(ws, 'runs', evalId), ...roots]);
  assert.equal(e.code, 0, e.stderr);
  const i = await runCli(['identify', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--modes', 'raw,mean', '--bootstrap', '0', '--fpir', '0.1', '--out', path.join(ws, 'runs', idId), ...roots]);
  assert.equal(i.code, 0, i.stderr);
  wb = await startWorkbench(testConfig(ws));
});
afterAll(() => wb.close());

// The run's scores, counted here independently of the metrics code.
function scoresCsv(): Array<{ same: boolean; s: number; a: string; b: string }> {
  const lines = fs.readFileSync(path.join(ws, 'runs', evalId, 'scores.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => l.split(',')).filter((r) => r[3] !== 'fta').map((r) => ({ a: r[0], b: r[1], same: r[2] === '1', s: Number(r[3]) }));
}

test('history, a run’s results with its curves, and its report (inline or as a download)', async () => {
  const list = await wb.get('/api/runs');
  assert.deepEqual(list.body.runs.map((r: { id: string; kind: string }) => [r.id, r.kind]).sort(), [[evalId, 'eval'], [idId, 'identify']]);
  const run = await wb.get(`/api/runs/${evalId}`);
  assert.equal(run.body.metrics.models.mobilefacenet.counts.impostor, 60);
  const chart = run.body.curves.models.mobilefacenet.chart;
  assert.equal(chart.fmr.length, chart.tar.length);
  const h = run.body.curves.models.mobilefacenet.histograms;
  assert.equal(h.genuine.counts.reduce((a: number, b: number) => a + b, 0), 60);
  const idRun = await wb.get(`/api/runs/${idId}`);
  assert.ok(idRun.body.identification.results.length === 2 && idRun.body.curves.curves['mobilefacenet/mean'].fpir.length > 0);
  const split = JSON.parse(fs.readFileSync(path.join(ws, 'runs', idId, 'split.json'), 'utf8'));
  assert.equal(Object.keys(idRun.body.enrolment).length, split.gallery.length);
  assert.equal(run.body.enrolment, null, 'verification runs enrol nobody');
  assert.match((await wb.get(`/api/runs/${evalId}/report`)).body, /vegaEmbed/);
  const dl = await fetch(`${wb.base}/api/runs/${evalId}/report?download`);
  assert.match(dl.headers.get('content-disposition') ?? '', /attachment; filename="?mini-eval-report.html"?/);
  // The model list carries the speed measured by the run that computed the embeddings (the eval; identify read the cache).
  const speed = (await wb.get('/api/models')).body.models.find((m: { id: string }) => m.id === 'mobilefacenet').speed;
  const evalEmbed = run.body.run.models[0].embed;
  assert.deepEqual(speed, { msPerImage: (1000 * evalEmbed.seconds) / evalEmbed.computed, images: 191, dataset: 'lfw-mini', runId: evalId });
  // JSON and CSV files of the folder download as they are on disk; nothing else is served.
  assert.deepEqual(run.body.files, ['curves.json', 'metrics.json', 'run.json', 'scores.csv']);
  const csv = await fetch(`${wb.base}/api/runs/${evalId}/files/scores.csv`);
  assert.equal(await csv.text(), fs.readFileSync(path.join(ws, 'runs', evalId, 'scores.csv'), 'utf8'));
  assert.match(csv.headers.get('content-disposition') ?? '', /attachment/);
  assert.ok(idRun.body.files.includes('probes-mobilefacenet-mean.csv'));
  assert.equal((await wb.get(`/api/runs/${evalId}/files/report.html`)).status, 404);
  assert.equal((await wb.get(`/api/runs/${evalId}/files/${encodeURIComponent('../mini-identify/split.json')}`)).status, 404);
  assert.equal((await wb.get(`/api/runs/${evalId}/files/nothing.json`)).status, 404);
  assert.equal((await wb.get('/api/runs/no-such-run')).status, 404);
  // A run folder whose record is damaged is listed with the reason, and reading it says what is wrong.
  fs.mkdirSync(path.join(ws, 'runs', 'damaged'));
  fs.writeFileSync(path.join(ws, 'runs', 'damaged', 'run.json'), '{"createdAt": ');
  const damaged = (await wb.get('/api/runs')).body.runs.find((r: { id: string }) => r.id === 'damaged');
  assert.match(damaged.problem, /damaged\/run.json is not valid JSON/);
  const read = await wb.get('/api/runs/damaged');
  assert.deepEqual([read.status, /not valid JSON/.test(read.body.error.message)], [400, true]);
  fs.rmSync(path.join(ws, 'runs', 'damaged'), { recursive: true });
  assert.equal((await wb.get(`/api/runs/${encodeURIComponent('../runs')}`)).status, 403);
});

test('operating point at a dragged threshold: rates and worst pairs match a count over scores.csv', async () => {
  const rows = scoresCsv();
  const t = 0.2;
  const op = await wb.get(`/api/runs/${evalId}/operating-point?model=mobilefacenet&threshold=${t}&k=3`);
  assert.equal(op.status, 200, JSON.stringify(op.body));
  const imp = rows.filter((r) => !r.same);
  const gen = rows.filter((r) => r.same);
  const fm = imp.filter((r) => r.s >= t);
  assert.equal(op.body.choice.falseMatches, fm.length);
  assert.equal(op.body.choice.fmr.estimate, fm.length / imp.length);
  assert.equal(op.body.choice.falseNonMatches, gen.filter((r) => r.s < t).length);
  assert.equal(op.body.tar.estimate, 1 - op.body.choice.fnmr.estimate);
  assert.equal(op.body.choice.fmr.method, 'Clopper-Pearson exact');
  const worst = fm.sort((x, y) => y.s - x.s).slice(0, 3);
  assert.deepEqual(op.body.worst.falseMatches.map((p: { a: string; score: number }) => [p.a, p.score]), worst.map((r) => [r.a, r.s]));
});

test('rule presets give the run’s own thresholds (scores round-trip exactly); unmeasurable and bad requests are refused', async () => {
  const metrics = JSON.parse(fs.readFileSync(path.join(ws, 'runs', evalId, 'metrics.json'), 'utf8')).models.mobilefacenet;
  const eer = await wb.get(`/api/runs/${evalId}/operating-point?model=mobilefacenet&rule=eer`);
  assert.equal(eer.body.choice.threshold.similarity, metrics.eer.threshold);
  const youden = await wb.get(`/api/runs/${evalId}/operating-point?model=mobilefacenet&rule=youden`);
  assert.equal(youden.body.choice.threshold.similarity, metrics.thresholds.find((c: { rule: { kind: string } }) => c.rule.kind === 'youden').threshold.similarity);
  const tooSmall = await wb.get(`/api/runs/${evalId}/operating-point?model=mobilefacenet&rule=${encodeURIComponent('fmr=0.001')}`);
  assert.equal(tooSmall.status, 422);
  assert.match(tooSmall.body.error.message, /not measurable/);
  assert.equal((await wb.get(`/api/runs/${evalId}/operating-point?model=mobilefacenet`)).status, 400);
  assert.equal((await wb.get(`/api/runs/${evalId}/operating-point?model=mobilefacenet&threshold=abc`)).status, 400);
  const budget = await wb.get(`/api/runs/${evalId}/operating-point?model=mobilefacenet&rule=${encodeURIComponent('fmr-bound=0.001')}`);
  assert.deepEqual([budget.status, budget.body.error.code, /it takes at least 2995 impostor comparisons/.test(budget.body.error.message)], [422, 'NOT_MEASURABLE', true]);
  const outside = await wb.get(`/api/runs/${evalId}/operating-point?model=mobilefacenet&threshold=7`);
  assert.deepEqual([outside.status, /threshold must be within the scores' range \[-1, 1\]; got 7/.test(outside.body.error.message)], [400, true]);
  assert.equal((await wb.get(`/api/runs/${evalId}/operating-point?model=mobilefacenet&rule=${encodeURIComponent('fpir=0.1')}`)).status, 400);
  assert.equal((await wb.get(`/api/runs/${evalId}/operating-point?threshold=0.2`)).status, 400);
  assert.equal((await wb.get(`/api/runs/${evalId}/operating-point?model=fr-feature&threshold=0.2`)).status, 404);
  assert.equal((await wb.get(`/api/runs/${idId}/operating-point?model=mobilefacenet&threshold=0.2`)).status, 400);
});

test('export previews a config pinned to the run (rule or hand-set threshold); bad requests say why', async () => {
  const ok = await wb.send('POST', `/api/runs/${evalId}/export`, { model: 'mobilefacenet', rule: 'eer' });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.config.model.id, 'mobilefacenet');
  assert.match(ok.body.config.contentHash, /^[0-9a-f]{64}$/);
  const fixed = await wb.send('POST', `/api/runs/${evalId}/export`, { model: 'mobilefacenet', rule: 'fixed=0.2' });
  const op = await wb.get(`/api/runs/${evalId}/operating-point?model=mobilefacenet&threshold=0.2`);
  assert.deepEqual(fixed.body.config.expected.fmr, op.body.choice.fmr, 'the config carries the rates the explorer showed');
  const ident = await wb.send('POST', `/api/runs/${idId}/export`, { model: 'mobilefacenet', rule: 'fpir=0.1', mode: 'raw' });
  assert.equal(ident.body.config.aggregation, 'raw');
  assert.equal((await wb.send('POST', `/api/runs/${evalId}/export`, { model: 'mobilefacenet', rule: 'sometimes' })).status, 400);
  assert.equal((await wb.send('POST', `/api/runs/${evalId}/export`, { model: 'mobilefacenet', rule: 'eer', mode: 'max' })).status, 400);
  assert.equal((await wb.send('POST', `/api/runs/${evalId}/export`, { rule: 'eer' })).status, 400);
  assert.equal((await wb.send('POST', `/api/runs/${evalId}/export`, { model: 'nope', rule: 'eer' })).status, 404);
  assert.equal((await wb.send('POST', `/api/runs/${evalId}/export`, '{"model"')).status, 400);
});

test('faces as the model saw them: the aligned crop re-embeds to the cached vector; the photo view boxes the chosen face', async () => {
  const image = scoresCsv()[0].a;
  const r = await fetch(`${wb.base}/api/runs/${evalId}/face?model=mobilefacenet&path=${encodeURIComponent(image)}`);
  assert.equal(r.headers.get('content-type'), 'image/jpeg');
  const { data, info } = await sharp(Buffer.from(await r.arrayBuffer())).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [112, 112]);
  // The crop (through JPEG) embeds to nearly the vector the run cached for this image: it is what the model saw.
  const card = getEmbedderCard('mobilefacenet', path.join(ws, 'models'));
  const model = await loadModel(card, { modelRoot: MODEL_ROOT, threads: 1 });
  try {
    const [v] = await embedFaces(model, [{ width: 112, height: 112, data: new Uint8Array(data) }], { flip: false });
    const run = JSON.parse(fs.readFileSync(path.join(ws, 'runs', evalId, 'run.json'), 'utf8'));
    const manifest = await openDataset('lfw-mini', testConfig(ws));
    const cached = EmbeddingCache.openForRead(run.models[0].embed.cacheDir).get(manifest.images.find((i) => i.path === image)!.sha256);
    assert.equal(cached?.status, 'ok');
    if (cached?.status !== 'ok') return;
    const cos = v.reduce((acc, x, i) => acc + x * cached.vector[i], 0);
    assert.ok(cos > 0.98, `cosine to the cached embedding ${cos}`);
  } finally {
    await model.session.dispose();
  }
  const photo = await fetch(`${wb.base}/api/runs/${evalId}/face?model=mobilefacenet&path=${encodeURIComponent(image)}&view=context&size=200`);
  const meta = await sharp(Buffer.from(await photo.arrayBuffer())).metadata();
  assert.equal(Math.max(meta.width!, meta.height!), 200);
  assert.equal((await wb.get(`/api/runs/${idId}/face?model=mobilefacenet&path=${encodeURIComponent(image)}&view=context`)).status, 200, 'identification runs too');
  assert.equal((await wb.get(`/api/runs/${evalId}/face?model=mobilefacenet&path=nope.jpg`)).status, 404);
  assert.equal((await wb.get(`/api/runs/${evalId}/face?model=fr-feature&path=${encodeURIComponent(image)}`)).status, 404);
  assert.equal((await wb.get(`/api/runs/${evalId}/face?model=mobilefacenet&path=${encodeURIComponent(image)}&view=side`)).status, 400);
  assert.equal((await wb.get(`/api/runs/${evalId}/face?model=mobilefacenet`)).status, 400);
});

test('push: a config reaches a running engine, whose refusals (key, pipeline) come back with its status', async () => {
  const config = finalizeConfig(buildDeployConfig({ runDir: path.join(ws, 'runs', evalId), model: 'mobilefacenet', mode: 'mean', rule: parseRule('eer'), userModelsDir: path.join(ws, 'models') }));
  const engine = await Engine.open({ config, gallery: path.join(tempWorkspace(), 'gallery.db'), modelRoot: MODEL_ROOT });
  const key = 'push-test-key-0123456789';
  const server: Server = createApp({ engine, apiKey: key, maxUploadBytes: 1 << 20 }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const youden = (await wb.send('POST', `/api/runs/${evalId}/export`, { model: 'mobilefacenet', rule: 'youden' })).body.config;
    const pushed = await wb.send('POST', '/api/engine/push', { url, apiKey: key, config: youden });
    assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
    assert.equal(engine.config.contentHash, youden.contentHash);
    assert.equal(pushed.body.threshold.similarity, youden.threshold.similarity);
    assert.equal((await wb.send('POST', '/api/engine/push', { url, apiKey: 'wrong-key', config: youden })).status, 401);
    const other = finalizeConfig({ ...youden, pipelineKey: '0'.repeat(64) });
    const refused = await wb.send('POST', '/api/engine/push', { url, apiKey: key, config: other });
    assert.equal(refused.status, 409);
    assert.match(refused.body.error.message, /the engine refused the config/);
    assert.equal((await wb.send('POST', '/api/engine/push', { url: 'ftp://127.0.0.1/', apiKey: key, config: youden })).status, 400);
    assert.equal((await wb.send('POST', '/api/engine/push', { url: 'not a url', apiKey: key, config: youden })).status, 400);
    assert.equal((await wb.send('POST', '/api/engine/push', { url, config: youden })).status, 400);
  } finally {
    await new Promise((r) => server.close(r));
    await engine.close();
  }
  // Nothing listens there any more.
  const gone = await wb.send('POST', '/api/engine/push', { url, apiKey: key, config });
  assert.equal(gone.status, 502);
  assert.match(gone.body.error.message, /no engine answered/);
});

test('compare: runs of the same pairs line up with their paired tests (a worker thread); others are refused 422 with the reason', async () => {
  const again = 'mini-eval-again';
  const e = await runCli(['eval', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--bootstrap', '0', '--out', path.join(ws, 'runs', again), ...roots]);
  assert.equal(e.code, 0, e.stderr);
  const c = await wb.get(`/api/runs/compare?runs=${evalId},${again}&replicates=100`);
  assert.equal(c.status, 200, JSON.stringify(c.body));
  assert.equal(c.body.kind, 'eval');
  assert.deepEqual(c.body.rows.map((r: { label: string }) => r.label), [`${evalId}:mobilefacenet`, `${again}:mobilefacenet`]);
  assert.equal(c.body.rows[1].speed.source, 'embedding cache', 'the second run read its embeddings: the speed is the first run\'s measurement');
  const [p] = c.body.paired;
  assert.deepEqual([p.comparisons, p.mcnemar.onlyA, p.mcnemar.onlyB, p.mcnemar.pValue], [120, 0, 0, 1]);
  assert.equal(p.deltas.find((d: { statistic: string }) => d.statistic === 'EER').result.difference.replicates, 100);
  assert.ok(p.summary.every((s: string) => /no difference backed by this data/.test(s)));
  // One run: its models, no pair to test.
  const one = await wb.get(`/api/runs/compare?runs=${evalId}`);
  assert.deepEqual([one.status, one.body.rows.length, one.body.paired.length], [200, 1, 0]);
  const refused = await wb.get(`/api/runs/compare?runs=${evalId},${idId}`);
  assert.equal(refused.status, 422);
  assert.equal(refused.body.error.code, 'NOT_COMPARABLE');
  assert.match(refused.body.error.message, new RegExp(`run ${evalId} is a verification run, run ${idId} an identification run`));
  assert.equal((await wb.get('/api/runs/compare')).status, 400);
  assert.equal((await wb.get(`/api/runs/compare?runs=${evalId},no-such-run`)).status, 404);
  assert.equal((await wb.get(`/api/runs/compare?runs=${evalId},..%2F..%2Fetc`)).status, 403);
  assert.equal((await wb.get(`/api/runs/compare?runs=${evalId},${again}&replicates=0`)).status, 400);
});

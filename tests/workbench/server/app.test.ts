import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tempWorkspace, testConfig } from '../../helpers/shared.js';
import { startWorkbench, type RunningWorkbench } from '../../helpers/workbench.js';

const ws = tempWorkspace();
const staticDir = tempWorkspace('frw-ui-');
let wb: RunningWorkbench;
beforeAll(async () => {
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>ui</title>');
  wb = await startWorkbench(testConfig(ws), { staticDir });
});
afterAll(() => wb.close());

const events = async (jobId: string) => (await fetch(`${wb.base}/api/jobs/${jobId}/events`)).text();

test('the app is served at /, the roots at /api/config, and unknown API routes are 404 JSON', async () => {
  assert.match((await wb.get('/')).body, /<title>ui<\/title>/);
  assert.equal((await wb.get('/api/config')).body.workspace, ws);
  const none = await wb.get('/api/nothing');
  assert.deepEqual([none.status, none.body.error.code], [404, 'NOT_FOUND']);
  // Outside the API too: JSON, not Express's HTML page.
  const page = await wb.get('/no/such/page');
  assert.deepEqual([page.status, page.body.error?.code], [404, 'NOT_FOUND']);
  // Bodies over their limits are 413 with a code, not a 500.
  const big = await wb.send('POST', '/api/jobs/eval', JSON.stringify({ dataset: 'lfw-mini', pad: 'x'.repeat(200 * 1024) }));
  assert.deepEqual([big.status, big.body.error?.code], [413, 'TOO_LARGE']);
  // A face that cannot be shown is a JSON error, not one labelled image/jpeg.
  const face = await wb.get('/api/runs/nope/face?model=m&path=a.jpg');
  assert.equal(face.status, 404);
  assert.match(face.headers.get('content-type') ?? '', /json/);
});

test('evaluation jobs: bad requests refused; one job at a time; progress streams; the run lands in the history', async () => {
  assert.equal((await wb.send('POST', '/api/jobs/eval', '{not json')).status, 400);
  assert.equal((await wb.send('POST', '/api/jobs/eval', { dataset: 'lfw-mini' })).status, 400);
  assert.equal((await wb.send('POST', '/api/jobs/eval', { dataset: 'lfw-mini', models: ['mobilefacenet'], seed: -1 })).status, 400);
  assert.equal((await wb.send('POST', '/api/jobs/eval', { dataset: 'lfw-mini', models: ['mobilefacenet'], protocol: 'lfw-10fold' })).status, 400, 'lfw-mini has no folds');
  assert.equal((await wb.send('POST', '/api/jobs/eval', { dataset: 'nope', models: ['mobilefacenet'] })).status, 404);
  assert.equal((await wb.send('POST', '/api/jobs/eval', { dataset: '../etc', models: ['mobilefacenet'] })).status, 403);
  assert.equal((await wb.send('POST', '/api/jobs/eval', { dataset: 'lfw-mini', models: ['no-model'] })).status, 404);
  const started = await wb.send('POST', '/api/jobs/eval', { dataset: 'lfw-mini', models: ['mobilefacenet'], bootstrap: 20 });
  assert.equal(started.status, 202);
  const { job } = started.body;
  assert.equal((await wb.send('POST', '/api/jobs/identify', { dataset: 'lfw-mini', models: ['mobilefacenet'] })).status, 409, 'one job at a time');
  const stream = await events(job.id);
  assert.match(stream, /event: stage/);
  assert.match(stream, /event: progress\ndata: \{"model":"mobilefacenet","done":\d+,"total":191/);
  assert.match(stream, /event: done/);
  assert.equal((await wb.get(`/api/jobs/${job.id}`)).body.job.status, 'done');
  const resumed = await (await fetch(`${wb.base}/api/jobs/${job.id}/events`, { headers: { 'last-event-id': '1' } })).text();
  assert.doesNotMatch(resumed, /^id: [01]$/m, 'a reconnecting stream resumes after the last event it saw');
  assert.match(resumed, /event: done/);
  assert.ok((await wb.get('/api/runs')).body.runs.some((r: { id: string }) => r.id === job.runId));
  assert.ok((await wb.get(`/api/runs/${job.runId}`)).body.metrics.models.mobilefacenet.auc > 0.99);
  assert.equal((await wb.get('/api/jobs/unknown-id')).status, 404);
  assert.equal((await wb.get('/api/jobs/unknown-id/events')).status, 404);
});

test('identification jobs compare raw and mean on one split; bad modes are refused', async () => {
  assert.equal((await wb.send('POST', '/api/jobs/identify', { dataset: 'lfw-mini', models: ['mobilefacenet'], modes: ['max'] })).status, 400);
  assert.equal((await wb.send('POST', '/api/jobs/identify', { dataset: 'lfw-mini', models: ['mobilefacenet'], enrol: 0 })).status, 400);
  const started = await wb.send('POST', '/api/jobs/identify', { dataset: 'lfw-mini', models: ['mobilefacenet'], bootstrap: 0 });
  assert.equal(started.status, 202);
  assert.match(await events(started.body.job.id), /event: done/);
  const run = (await wb.get(`/api/runs/${started.body.job.runId}`)).body;
  assert.deepEqual(run.identification.results.map((r: { mode: string }) => r.mode), ['raw', 'mean']);
});

test('a cancelled job ends as cancelled, keeps what it embedded, and frees the runner', async () => {
  const started = await wb.send('POST', '/api/jobs/eval', { dataset: 'five-celeb', models: ['fr-feature'], bootstrap: 0 });
  assert.equal(started.status, 202);
  const cancel = await wb.send('DELETE', `/api/jobs/${started.body.job.id}`);
  assert.equal(cancel.status, 200);
  assert.match(await events(started.body.job.id), /event: cancelled/);
  assert.equal((await wb.get(`/api/jobs/${started.body.job.id}`)).body.job.status, 'cancelled');
  assert.ok(!(await wb.get('/api/runs')).body.runs.some((r: { id: string }) => r.id === started.body.job.runId), 'no half-written run in the history');
  const next = await wb.send('POST', '/api/jobs/eval', { dataset: 'lfw-mini', models: ['mobilefacenet'], bootstrap: 0 });
  assert.equal(next.status, 202, 'the runner takes a new job');
  assert.match(await events(next.body.job.id), /event: done/);
  assert.equal((await wb.get('/api/jobs')).body.jobs.length, 4);
});

test('only the workbench’s own pages may call it: other origins and non-loopback hosts are refused', async () => {
  const { request } = await import('node:http');
  const call = (headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const r = request(`${wb.base}/api/datasets`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => (res.resume(), resolve(res.statusCode!)));
      r.on('error', reject);
      r.end(JSON.stringify({ name: 'x', path: 'lfw-mini' }));
    });
  assert.equal(await call({ origin: 'http://evil.example' }), 403, 'cross-site form post');
  assert.equal(await call({ host: 'evil.example' }), 403, 'DNS rebinding');
  assert.equal(await call({ origin: wb.base }), 201, 'the workbench’s own page');
});

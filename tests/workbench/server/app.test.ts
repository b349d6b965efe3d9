import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createWorkbenchApp } from '../../../workbench/server/app.js';
import { JobRunner } from '../../../workbench/server/jobs.js';
import { testConfig } from '../../helpers/shared.js';

let server: Server;
let base = '';
before(async () => {
  server = createWorkbenchApp({ cfg: testConfig(), jobs: new JobRunner() }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise((r) => server.close(r)));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const get = async (route: string): Promise<{ status: number; body: any }> => {
  const r = await fetch(base + route);
  return { status: r.status, body: r.headers.get('content-type')?.includes('json') ? await r.json() : await r.text() };
};
const postJson = (route: string, body: string) => fetch(base + route, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

test('datasets: the data root is listed, summaries come from the real data, paths outside the root are refused', async () => {
  const list = await get('/api/datasets');
  assert.equal(list.status, 200);
  const names = list.body.datasets.map((d: { name: string }) => d.name);
  for (const n of ['lfw', 'lfw-mini', 'five-celeb']) assert.ok(names.includes(n), n);
  assert.equal(list.body.datasets.find((d: { name: string }) => d.name === 'lfw').kind, 'lfw');
  const mini = await get('/api/datasets/lfw-mini');
  assert.equal(mini.body.summary.images, 191);
  assert.equal((await get('/api/datasets/no-such-set')).status, 404);
  assert.equal((await get(`/api/datasets/${encodeURIComponent('../../etc')}`)).status, 403);
  assert.equal((await get('/api/nothing')).status, 404);
});

test('models: every card with its licence and provenance', async () => {
  const m = await get('/api/models');
  const fr = m.body.models.find((c: { id: string }) => c.id === 'fr-feature');
  assert.match(fr.licence, /MIT/);
  assert.ok(m.body.models.every((c: { provenance: string }) => c.provenance.length > 0));
});

test('jobs: bad requests are refused; an evaluation streams progress and lands in the run history with its report', async () => {
  assert.equal((await postJson('/api/jobs/eval', '{not json')).status, 400);
  assert.equal((await postJson('/api/jobs/eval', JSON.stringify({ dataset: 'lfw-mini' }))).status, 400);
  assert.equal((await postJson('/api/jobs/eval', JSON.stringify({ dataset: 'nope', models: ['mobilefacenet'] }))).status, 404);
  assert.equal((await postJson('/api/jobs/eval', JSON.stringify({ dataset: 'lfw-mini', models: ['no-model'] }))).status, 404);
  const started = await postJson('/api/jobs/eval', JSON.stringify({ dataset: 'lfw-mini', models: ['mobilefacenet'], bootstrap: 20 }));
  assert.equal(started.status, 202);
  const { job } = (await started.json()) as { job: { id: string; runId: string } };
  assert.equal((await postJson('/api/jobs/eval', JSON.stringify({ dataset: 'lfw-mini', models: ['mobilefacenet'] }))).status, 409, 'one job at a time');
  const events = await (await fetch(`${base}/api/jobs/${job.id}/events`)).text();
  assert.match(events, /event: stage/);
  assert.match(events, /event: progress/);
  assert.match(events, /event: done/);
  const runs = await get('/api/runs');
  assert.ok(runs.body.runs.some((r: { id: string }) => r.id === job.runId));
  const run = await get(`/api/runs/${job.runId}`);
  assert.ok(run.body.metrics.models.mobilefacenet.auc > 0.99);
  const report = await get(`/api/runs/${job.runId}/report`);
  assert.match(report.body, /vegaEmbed/);
  assert.equal((await get(`/api/runs/${encodeURIComponent('../x')}`)).status, 403);
  assert.equal((await get('/api/jobs/unknown-id')).status, 404);
});

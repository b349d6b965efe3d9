import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { resolveConfig, workspacePaths } from '../../../core/config.js';
import { JOB_LIMITS } from '../../../workbench/server/job-params.js';
import { DATA_ROOT, MODEL_ROOT } from '../../helpers/shared.js';
import { startWorkbench, type RunningWorkbench } from '../../helpers/workbench.js';

// The project's workspace, so LFW's embeddings (minutes per model) are computed once per machine and shared with
// the CLI's LFW test; a cancelled job leaves no run folder behind there.
const cfg = resolveConfig({ dataRoot: DATA_ROOT, modelRoot: MODEL_ROOT, threads: 2 });
let wb: RunningWorkbench;
beforeAll(async () => {
  wb = await startWorkbench(cfg);
});
afterAll(() => wb.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const timed = async <T>(f: () => Promise<T>) => {
  const t0 = performance.now();
  const value = await f();
  return { value, ms: performance.now() - t0 };
};

test('job parameters are bounded on the server: a 400 names the bound', async () => {
  const huge = await wb.send('POST', '/api/jobs/eval', { dataset: 'lfw-mini', models: ['mobilefacenet'], bootstrap: 1_000_000_000 });
  assert.equal(huge.status, 400);
  assert.match(huge.body.error.message, new RegExp(`bootstrap must be an integer in \\[0, ${JOB_LIMITS.bootstrap}\\]`));
  const sample = await wb.send('POST', '/api/jobs/eval', { dataset: 'lfw-mini', models: ['mobilefacenet'], protocol: 'all-pairs', impostorSample: 1e12 });
  assert.deepEqual([sample.status, /impostorSample must be an integer in \[1, 10000000\]/.test(sample.body.error.message)], [400, true]);
  const enrol = await wb.send('POST', '/api/jobs/identify', { dataset: 'lfw-mini', models: ['mobilefacenet'], enrol: 1000 });
  assert.deepEqual([enrol.status, /enrol must be an integer in \[1, 100\]/.test(enrol.body.error.message)], [400, true]);
  const protocol = await wb.send('POST', '/api/jobs/eval', { dataset: 'lfw-mini', models: ['mobilefacenet'], protocol: 'every-pair' });
  assert.deepEqual([protocol.status, /protocol must be one of lfw-10fold, pairs, all-pairs/.test(protocol.body.error.message)], [400, true]);
  const smuggled = await wb.send('POST', '/api/jobs/eval', { dataset: 'lfw-mini', models: ['mobilefacenet,fr-feature'] });
  assert.deepEqual([smuggled.status, /is not a model id/.test(smuggled.body.error.message)], [400, true]);
  const work = await wb.send('POST', '/api/jobs/eval', { dataset: 'lfw-mini', models: ['mobilefacenet'], protocol: 'all-pairs', impostorSample: 5_000_000, bootstrap: 10_000 });
  assert.deepEqual([work.status, /bootstrap × impostorSample must be at most/.test(work.body.error.message)], [400, true]);
  const noStrangers = await wb.send('POST', '/api/jobs/identify', { dataset: 'lfw-mini', models: ['mobilefacenet'], fewImages: 'drop' });
  assert.deepEqual([noStrangers.status, /no unknown people/.test(noStrangers.body.error.message)], [400, true], 'refused before any embedding');
  assert.equal((await wb.get('/api/jobs')).body.jobs.length, 0, 'nothing was started');
});

test('while a 10-fold LFW job bootstraps, every route answers within a second and Cancel ends it within seconds', async () => {
  const started = await wb.send('POST', '/api/jobs/eval', { dataset: 'lfw', models: ['fr-feature'], protocol: 'lfw-10fold', bootstrap: JOB_LIMITS.bootstrap });
  assert.equal(started.status, 202);
  const { id, runId } = started.body.job;
  // Embedding comes from the cache (computed first if this machine has none); the bootstrap runs under "scoring".
  let job = (await wb.get(`/api/jobs/${id}`)).body.job;
  while (job.status === 'running' && !/^scoring/.test(job.stage ?? '')) {
    await sleep(250);
    job = (await wb.get(`/api/jobs/${id}`)).body.job;
  }
  assert.equal(job.status, 'running', `the job is computing (${job.stage})`);
  await sleep(1000); // well inside the bootstrap's loop
  for (let k = 0; k < 5; k++) {
    const list = await timed(() => wb.get('/api/jobs'));
    assert.ok(list.ms < 1000, `GET /api/jobs took ${list.ms.toFixed(0)} ms`);
    const mine = list.value.body.jobs.find((j: { id: string }) => j.id === id);
    assert.equal(mine.status, 'running');
    assert.match(mine.stage, /^scoring fr-feature/);
    assert.ok(mine.elapsedSeconds > 0);
    const other = await timed(() => wb.get('/api/datasets'));
    assert.ok(other.ms < 1000 && other.value.status === 200, `GET /api/datasets took ${other.ms.toFixed(0)} ms`);
    await sleep(200);
  }
  const cancel = await timed(() => wb.send('DELETE', `/api/jobs/${id}`));
  assert.ok(cancel.ms < 1000);
  const t0 = performance.now();
  while ((job = (await wb.get(`/api/jobs/${id}`)).body.job).status === 'running') await sleep(100);
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(job.status, 'cancelled');
  assert.ok(seconds < 6, `cancelled after ${seconds.toFixed(1)} s`);
  assert.ok(!fs.existsSync(path.join(workspacePaths(cfg).runs, runId)), 'no half-written run folder');
});

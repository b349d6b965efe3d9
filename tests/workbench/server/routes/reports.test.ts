import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../../../helpers/cli.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace, testConfig } from '../../../helpers/shared.js';
import { startWorkbench, type RunningWorkbench } from '../../../helpers/workbench.js';

// Inside a dot folder, as the default workspace (.frw/) is: the routes must serve from there.
const ws = path.join(tempWorkspace(), '.frw');
fs.mkdirSync(ws);
const roots = ['--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws];
let wb: RunningWorkbench;

beforeAll(async () => {
  const e = await runCli(['eval', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--bootstrap', '0', '--out', path.join(ws, 'runs', 'mini'), ...roots]);
  assert.equal(e.code, 0, e.stderr);
  const i = await runCli(['identify', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--modes', 'mean', '--bootstrap', '0', '--fpir', '0.1', '--out', path.join(ws, 'runs', 'mini-id'), ...roots]);
  assert.equal(i.code, 0, i.stderr);
  wb = await startWorkbench(testConfig(ws));
});
afterAll(() => wb.close());

/** Start a report job, wait for it to end, and return it (done, or the test fails with its last event). */
async function reportJob(body: Record<string, unknown>) {
  const start = await wb.send('POST', '/api/jobs/report', body);
  assert.equal(start.status, 202, JSON.stringify(start.body));
  let job = start.body.job;
  while ((job = (await wb.get(`/api/jobs/${job.id}`)).body.job).status === 'running') await sleep(100);
  assert.equal(job.status, 'done', JSON.stringify(job.events.at(-1)));
  return job;
}

test('a decision report job: the config Export would write, measured off the HTTP thread, its HTML and PDF downloadable', async () => {
  const job = await reportJob({ run: 'mini', model: 'mobilefacenet', rule: 'eer', budgets: { maxFmr: 0.2, maxFnmr: 0.2 }, bootstrap: 200 });
  assert.equal(job.result.pdfError, null);
  assert.deepEqual(job.result.files, ['report.pdf', 'report.html', 'gate.json', 'deploy.json']);
  const id = job.result.reportId;
  const exported = (await wb.send('POST', '/api/runs/mini/export', { model: 'mobilefacenet', rule: 'eer' })).body.config;
  const deployed = (await wb.get(`/api/reports/${id}/deploy.json`)).body;
  assert.equal(deployed.threshold.similarity, exported.threshold.similarity, 'the report is about the threshold Export writes');
  const gate = (await wb.get(`/api/reports/${id}/gate.json`)).body;
  assert.equal(gate.config.contentHash, deployed.contentHash);
  assert.equal(gate.dataset.name, 'lfw-mini');
  assert.equal(gate.dataset.protocol, 'pairs', "the run's own protocol");
  assert.equal(job.result.verdict, gate.verdict);
  const html = await wb.get(`/api/reports/${id}/report.html`);
  assert.match(html.headers.get('content-type') ?? '', /text\/html/);
  assert.match(html.body, /Decision report/);
  assert.ok(html.body.includes(deployed.contentHash));
  const pdf = await fetch(`${wb.base}/api/reports/${id}/report.pdf?download`);
  assert.equal(pdf.status, 200);
  assert.match(pdf.headers.get('content-disposition') ?? '', /attachment; filename="?.*-report\.pdf"?/);
  assert.equal(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString('latin1'), '%PDF-');
});

test("an identification run's report: its own split, FPIR and FNIR budgets", async () => {
  const job = await reportJob({ run: 'mini-id', model: 'mobilefacenet', rule: 'fpir=0.1', budgets: { maxFpir: 0.5, maxFnir: 0.5 }, bootstrap: 100 });
  const gate = (await wb.get(`/api/reports/${job.result.reportId}/gate.json`)).body;
  const split = JSON.parse(fs.readFileSync(path.join(ws, 'runs', 'mini-id', 'split.json'), 'utf8'));
  assert.equal(gate.measured.kind, 'identification');
  assert.equal(gate.measured.gallery.identities, split.gallery.length, "the run's own enrolment");
  assert.deepEqual(gate.checks.map((c: { name: string }) => c.name), ['FPIR', 'FNIR']);
  // A verification budget on an identification config is refused in words, before any job.
  const wrong = await wb.send('POST', '/api/jobs/report', { run: 'mini-id', model: 'mobilefacenet', rule: 'fpir=0.1', budgets: { maxFmr: 0.1 } });
  assert.deepEqual([wrong.status, wrong.body.error.code], [400, 'BAD_INPUT']);
  assert.match(wrong.body.error.message, /tuned for identification: its rate budgets are --max-fpir and --max-fnir/);
});

test('report requests a run cannot answer are refused with a code before any job starts', async () => {
  const refuse = async (body: unknown, status: number, code: string, msg: RegExp) => {
    const r = await wb.send('POST', '/api/jobs/report', body);
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.error.code, code);
    assert.match(r.body.error.message, msg);
  };
  await refuse({ run: 'mini', model: 'mobilefacenet', rule: 'eer', budgets: {} }, 400, 'BAD_INPUT', /give at least one budget/);
  await refuse({ run: 'mini', model: 'mobilefacenet', rule: 'eer', budgets: { maxFmr: 2 } }, 400, 'BAD_INPUT', /--max-fmr must be a rate in \(0, 1\)/);
  await refuse({ run: 'mini', model: 'mobilefacenet', rule: 'eer', budgets: { maxFar: 0.1 } }, 400, 'BAD_INPUT', /unknown budget "maxFar"/);
  await refuse({ run: 'mini', model: 'mobilefacenet', rule: 'fmr=0.0001', budgets: { maxFmr: 0.1 } }, 422, 'NOT_MEASURABLE', /./);
  await refuse({ run: '../runs', model: 'mobilefacenet', rule: 'eer', budgets: { maxFmr: 0.1 } }, 403, 'OUTSIDE_ROOT', /not a run folder name/);
  assert.equal((await wb.get('/api/reports/..%2F..%2Fetc/report.html')).status, 403);
  assert.equal((await wb.get('/api/reports/nope/passwd')).status, 404);
  // A link planted in a report folder is not followed out of the workspace.
  const dir = path.join(ws, 'reports', 'planted');
  fs.mkdirSync(dir, { recursive: true });
  fs.symlinkSync('/etc/passwd', path.join(dir, 'report.html'));
  assert.equal((await wb.get('/api/reports/planted/report.html')).status, 404);
  // … nor a linked report folder, nor a name from Object's prototype.
  const outside = tempWorkspace();
  fs.writeFileSync(path.join(outside, 'report.html'), '<p>not a report</p>');
  fs.symlinkSync(outside, path.join(ws, 'reports', 'linked'));
  assert.equal((await wb.get('/api/reports/linked/report.html')).status, 404);
  assert.equal((await wb.get('/api/reports/planted/constructor')).status, 404);
});

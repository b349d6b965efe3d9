import path from 'node:path';
import express from 'express';
import type { FrwConfig } from '../../../core/config.js';
import type { WorkbenchDatasets } from '../datasets-state.js';
import { bodyDataset, evalJobRequest, identifyJobRequest, reportJobRequest } from '../job-params.js';
import type { JobRunner } from '../jobs.js';
import type { RunFolders } from '../run-folders.js';

type Body = Record<string, unknown>;

/**
 * /api/jobs: start an evaluation, an identification or a decision report (checked here, computed in the job's own process), follow it
 * live (server-sent events), cancel it.
 */
export function jobsRouter(cfg: FrwConfig, runner: JobRunner, datasets: WorkbenchDatasets, runs: RunFolders): express.Router {
  const r = express.Router();
  r.get('/', (_req, res) => {
    res.json({ jobs: runner.list().map(({ events: _e, ...j }) => j) });
  });
  r.post('/eval', express.json({ limit: '64kb' }), async (req, res) => {
    const b = (req.body ?? {}) as Body;
    const manifest = await datasets.open(bodyDataset(b));
    const request = evalJobRequest(b, manifest, cfg);
    const runId = path.basename(request.out);
    const s = request.spec;
    const job = runner.start(request, { dataset: manifest.name, models: s.pipelines.map((p) => p.embedder.id), protocol: s.protocol, seed: s.seed, bootstrap: s.evaluation.bootstrap, impostorSample: s.impostorSample ?? null, runId });
    res.status(202).json({ job: { id: job.id, status: job.status, runId } });
  });
  r.post('/identify', express.json({ limit: '64kb' }), async (req, res) => {
    const b = (req.body ?? {}) as Body;
    const manifest = await datasets.open(bodyDataset(b));
    const request = identifyJobRequest(b, manifest, cfg);
    const runId = path.basename(request.out);
    const s = request.spec;
    const job = runner.start(request, { dataset: manifest.name, models: s.pipelines.map((p) => p.embedder.id), modes: s.modes, enrol: s.split.enrol, seed: s.split.seed, bootstrap: s.options.bootstrap, runId });
    res.status(202).json({ job: { id: job.id, status: job.status, runId } });
  });
  r.post('/report', express.json({ limit: '8kb' }), async (req, res) => {
    const request = await reportJobRequest((req.body ?? {}) as Body, cfg, runs, datasets);
    const reportId = path.basename(request.out);
    const g = request.gate;
    const job = runner.start(request, { dataset: g.manifest.name, models: [g.config.model.id], kind: g.config.expected.kind, protocol: g.protocol, threshold: g.config.threshold.similarity, budgets: g.budgets, bootstrap: g.bootstrap, reportId });
    res.status(202).json({ job: { id: job.id, status: job.status, reportId } });
  });
  r.get('/:id', (req, res) => {
    res.json({ job: runner.get(req.params.id) });
  });
  r.delete('/:id', (req, res) => {
    res.json({ job: runner.cancel(req.params.id) });
  });
  r.get('/:id/events', (req, res) => {
    runner.get(req.params.id); // 404 before the stream opens
    // A reconnecting EventSource sends the last id it saw: resume after it instead of replaying the whole job.
    const after = Number(req.headers['last-event-id'] ?? -1);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const stop = runner.subscribe(req.params.id, (e) => {
      if (!(Number.isInteger(after) && e.seq <= after)) res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify({ ...e.data, elapsedSeconds: e.elapsedSeconds })}\n\n`);
      if (e.type === 'done' || e.type === 'failed' || e.type === 'cancelled') res.end();
    });
    req.on('close', stop);
  });
  return r;
}

import path from 'node:path';
import express from 'express';
import { workspacePaths, type FrwConfig } from '../../../core/config.js';
import { FrwError } from '../../../core/errors.js';
import { openDataset } from '../../../datasets/resolve.js';
import { DEFAULT_FMR_TARGETS, DEFAULT_RULES } from '../../../experiments/evaluate.js';
import { pipelineSpecs } from '../../../experiments/pipeline-specs.js';
import { defaultProtocol, PROTOCOLS, type ProtocolName } from '../../../experiments/protocols.js';
import { prepareRunFolder, runEvaluation, spillScores, writeRunFolder } from '../../../experiments/run.js';
import { DEFAULT_DECODE } from '../../../datasets/image.js';
import { DEFAULT_DETECTOR } from '../../../models/registry.js';
import { evalReportHtml } from '../../../reports/eval-report.js';
import type { JobRunner } from '../jobs.js';

interface EvalBody {
  dataset?: unknown;
  models?: unknown;
  protocol?: unknown;
  flip?: unknown;
  seed?: unknown;
  impostorSample?: unknown;
  bootstrap?: unknown;
}

/** /api/jobs: start an evaluation, follow it live (server-sent events), cancel it. */
export function jobsRouter(cfg: FrwConfig, runner: JobRunner): express.Router {
  const r = express.Router();
  r.get('/', (_req, res) => {
    res.json({ jobs: runner.list().map(({ events: _e, ...j }) => j) });
  });
  r.post('/eval', express.json({ limit: '64kb' }), async (req, res) => {
    const b = (req.body ?? {}) as EvalBody;
    if (typeof b.dataset !== 'string' || !/^[\w.-]+$/.test(b.dataset)) throw new FrwError('BAD_INPUT', 'dataset must be the name of a dataset under the data root');
    if (!Array.isArray(b.models) || b.models.length === 0 || b.models.some((m) => typeof m !== 'string')) throw new FrwError('BAD_INPUT', 'models must be a non-empty list of model ids');
    const int = (v: unknown, what: string, min: number, dflt?: number) => {
      if (v === undefined || v === null) return dflt;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new FrwError('BAD_INPUT', `${what} must be an integer >= ${min}`);
      return v;
    };
    const seed = int(b.seed, 'seed', 0, 1)!;
    const impostorSample = int(b.impostorSample, 'impostorSample', 1);
    const bootstrap = int(b.bootstrap, 'bootstrap', 0, 200)!;
    const pipelines = pipelineSpecs({ models: (b.models as string[]).join(','), detector: DEFAULT_DETECTOR, policy: 'central-largest', flip: b.flip === true, maxMegapixels: String(DEFAULT_DECODE.maxMegapixels), workingSize: String(DEFAULT_DECODE.workingMaxSide) }, cfg);
    const manifest = await openDataset(b.dataset, cfg);
    const protocol = (b.protocol ?? defaultProtocol(manifest)) as ProtocolName;
    if (!PROTOCOLS.includes(protocol)) throw new FrwError('BAD_INPUT', `protocol must be one of ${PROTOCOLS.join(', ')}`);
    const id = `${manifest.name}-${protocol}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const out = path.join(workspacePaths(cfg).runs, id);
    const job = runner.start('eval', { dataset: manifest.name, models: b.models, protocol, seed, runId: id }, async ({ signal, emit }) => {
      prepareRunFolder(out);
      const result = await runEvaluation(
        manifest,
        { protocol, pipelines, seed, impostorSample, evaluation: { fmrTargets: DEFAULT_FMR_TARGETS, rules: DEFAULT_RULES, seed, bootstrap, level: 0.95, view: 'similarity' } },
        {
          embeddingsRoot: workspacePaths(cfg).embeddings,
          modelRoot: cfg.modelRoot,
          workers: cfg.threads,
          signal,
          onStage: (message) => emit('stage', { message }),
          onEmbedProgress: (model, p) => emit('progress', { model, ...p }),
          spill: (model, scores) => spillScores(out, model, scores),
        },
      );
      writeRunFolder(out, result, manifest, { 'report.html': evalReportHtml(result) });
      return { runId: id, models: result.metrics.map((m) => ({ model: m.model, auc: m.auc, eer: m.eer.estimate, tenFold: m.tenFold?.mean ?? null })) };
    });
    res.status(202).json({ job: { id: job.id, status: job.status, runId: id } });
  });
  r.get('/:id', (req, res) => {
    res.json({ job: runner.get(req.params.id) });
  });
  r.delete('/:id', (req, res) => {
    res.json({ job: runner.cancel(req.params.id) });
  });
  r.get('/:id/events', (req, res) => {
    runner.get(req.params.id); // 404 before the stream opens
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const stop = runner.subscribe(req.params.id, (e) => {
      res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
      if (e.type === 'done' || e.type === 'failed' || e.type === 'cancelled') res.end();
    });
    req.on('close', stop);
  });
  return r;
}

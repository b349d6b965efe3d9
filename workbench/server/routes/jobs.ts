import path from 'node:path';
import express from 'express';
import { workspacePaths, type FrwConfig } from '../../../core/config.js';
import { FrwError } from '../../../core/errors.js';
import { DEFAULT_FMR_TARGETS, DEFAULT_RULES } from '../../../experiments/evaluate.js';
import { DEFAULT_FPIR_TARGETS } from '../../../experiments/identification/evaluate.js';
import { createIndexFactory } from '../../../search/indexes.js';
import { runIdentification, writeIdentificationFolder } from '../../../runs/identification-folder.js';
import { MATCH_MODES, type MatchMode } from '../../../search/templates.js';
import { checkProtocol, defaultProtocol, type ProtocolName } from '../../../experiments/protocols.js';
import { prepareRunFolder, runEvaluation, spillScores, writeRunFolder } from '../../../runs/eval-folder.js';
import { evalReportHtml } from '../../../reports/eval-report.js';
import { identifyReportHtml } from '../../../reports/identify-report.js';
import { defaultPipelines } from '../../../pipeline/specs.js';
import type { WorkbenchDatasets } from '../datasets-state.js';
import type { JobRunner } from '../jobs.js';

type Body = Record<string, unknown>;

const int = (v: unknown, what: string, min: number, dflt?: number) => {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new FrwError('BAD_INPUT', `${what} must be an integer >= ${min}`);
  return v;
};
const modelsOf = (b: Body) => {
  if (!Array.isArray(b.models) || b.models.length === 0 || b.models.some((m) => typeof m !== 'string')) throw new FrwError('BAD_INPUT', 'models must be a non-empty list of model ids');
  return b.models as string[];
};
const datasetOf = (b: Body) => {
  if (typeof b.dataset !== 'string' || b.dataset === '') throw new FrwError('BAD_INPUT', 'dataset must be the name of a dataset under the data root');
  return b.dataset;
};
const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');

/** /api/jobs: start an evaluation or identification, follow it live (server-sent events), cancel it. */
export function jobsRouter(cfg: FrwConfig, runner: JobRunner, datasets: WorkbenchDatasets): express.Router {
  const r = express.Router();
  const runsRoot = workspacePaths(cfg).runs;
  const embedDeps = (signal: AbortSignal, emit: (type: 'stage' | 'progress', data: Record<string, unknown>) => void) => ({
    embeddingsRoot: workspacePaths(cfg).embeddings,
    modelRoot: cfg.modelRoot,
    workers: cfg.threads,
    signal,
    onStage: (message: string) => emit('stage', { message }),
    onEmbedProgress: (model: string, p: object) => emit('progress', { model, ...p }),
  });
  r.get('/', (_req, res) => {
    res.json({ jobs: runner.list().map(({ events: _e, ...j }) => j) });
  });
  r.post('/eval', express.json({ limit: '64kb' }), async (req, res) => {
    const b = (req.body ?? {}) as Body;
    const dataset = datasetOf(b);
    const models = modelsOf(b);
    const seed = int(b.seed, 'seed', 0, 1)!;
    const impostorSample = int(b.impostorSample, 'impostorSample', 1);
    const bootstrap = int(b.bootstrap, 'bootstrap', 0, 200)!;
    const pipelines = defaultPipelines(models, b.flip === true, cfg);
    const manifest = await datasets.open(dataset);
    const protocol = (b.protocol ?? defaultProtocol(manifest)) as ProtocolName;
    checkProtocol(manifest, protocol);
    const id = `${manifest.name}-${protocol}-${stamp()}`;
    const out = path.join(runsRoot, id);
    const job = runner.start('eval', { dataset: manifest.name, models, protocol, seed, runId: id }, async ({ signal, emit }) => {
      prepareRunFolder(out);
      const result = await runEvaluation(
        manifest,
        { protocol, pipelines, seed, impostorSample, evaluation: { fmrTargets: DEFAULT_FMR_TARGETS, rules: DEFAULT_RULES, seed, bootstrap, level: 0.95, view: 'similarity' } },
        { ...embedDeps(signal, emit), spill: (model, scores) => spillScores(out, model, scores) },
      );
      writeRunFolder(out, result, manifest, { 'report.html': evalReportHtml(result) });
      return { runId: id, models: result.metrics.map((m) => ({ model: m.model, auc: m.auc, eer: m.eer.estimate, tenFold: m.tenFold?.mean ?? null })) };
    });
    res.status(202).json({ job: { id: job.id, status: job.status, runId: id } });
  });
  r.post('/identify', express.json({ limit: '64kb' }), async (req, res) => {
    const b = (req.body ?? {}) as Body;
    const dataset = datasetOf(b);
    const models = modelsOf(b);
    const seed = int(b.seed, 'seed', 0, 1)!;
    const enrol = int(b.enrol, 'enrol', 1, 1)!;
    const bootstrap = int(b.bootstrap, 'bootstrap', 0, 200)!;
    const modes = (b.modes ?? ['raw', 'mean']) as MatchMode[];
    if (!Array.isArray(modes) || modes.length === 0 || modes.some((m) => !MATCH_MODES.includes(m))) throw new FrwError('BAD_INPUT', `modes must be a list of ${MATCH_MODES.join(', ')}`);
    const fewImages = (b.fewImages ?? 'unknown') as 'unknown' | 'enrol-only' | 'drop';
    if (!['unknown', 'enrol-only', 'drop'].includes(fewImages)) throw new FrwError('BAD_INPUT', 'fewImages must be unknown, enrol-only or drop');
    const pipelines = defaultPipelines(models, b.flip === true, cfg);
    const manifest = await datasets.open(dataset);
    const id = `${manifest.name}-identify-${stamp()}`;
    const out = path.join(runsRoot, id);
    const job = runner.start('identify', { dataset: manifest.name, models, modes, enrol, seed, runId: id }, async ({ signal, emit }) => {
      prepareRunFolder(out);
      const run = await runIdentification(
        manifest,
        { pipelines, modes, split: { enrol, seed, fewImages }, index: { kind: 'flat', make: await createIndexFactory('flat') }, options: { fpirTargets: DEFAULT_FPIR_TARGETS, seed, bootstrap, level: 0.95 } },
        embedDeps(signal, emit),
      );
      writeIdentificationFolder(out, run, manifest, { 'report.html': identifyReportHtml(run) });
      return { runId: id, results: run.results.map((x) => ({ model: x.model, mode: x.mode, rank1: x.rank1.estimate })) };
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

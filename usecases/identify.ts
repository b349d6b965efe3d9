import path from 'node:path';
import { workspacePaths, type FrwConfig } from '../core/config.js';
import { FrwError } from '../core/errors.js';
import { TOOL_VERSION } from '../core/version.js';
import type { DatasetManifest } from '../datasets/manifest.js';
import { evaluateMode, type IdentificationOptions, type ModeResult, type ProbeOutcome } from '../experiments/identification/evaluate.js';
import { makeSplit, splitRecord, type SplitOptions } from '../experiments/identification/split.js';
import type { OpenSetCurve } from '../experiments/metrics/index.js';
import { embedForRun, type EmbeddingRunDeps, type EmbedSummary } from '../pipeline/embed-dataset.js';
import { loadEmbeddingTable } from '../pipeline/embedding-table.js';
import { pipelineKey, pipelineSettings, type PipelineSpec } from '../pipeline/spec.js';
import { identifyReportHtml } from '../reports/identify-report.js';
import { prepareRunFolder } from '../runs/read.js';
import { resultKey, writeIdentificationFolder, type IdentifyRunResult } from '../runs/identification-folder.js';
import { splitHashOf } from '../runs/comparisons.js';
import type { IndexFactory, IndexKind } from '../search/indexes.js';
import type { MatchMode } from '../search/templates.js';
import { embeddingDeps, runId, type RunHooks } from './deps.js';

export interface IdentifyRunSpec {
  pipelines: PipelineSpec[];
  modes: MatchMode[];
  split: SplitOptions;
  index: { kind: IndexKind; make: IndexFactory };
  options: IdentificationOptions;
}

/**
 * Open-set identification: one seeded split for every model and matching mode, embeddings from the cache (computed
 * if missing), a gallery per (model, mode), every probe searched, and the open-set metrics.
 */
export async function runIdentification(manifest: DatasetManifest, spec: IdentifyRunSpec, deps: EmbeddingRunDeps): Promise<IdentifyRunResult> {
  if (spec.pipelines.length === 0) throw new FrwError('BAD_INPUT', 'identification needs at least one model');
  const split = makeSplit(manifest, spec.split);
  if (split.nonMated.image.length === 0) {
    throw new FrwError('BAD_INPUT', `no unknown people: ${manifest.name} has no unknown set; give --unknown <path>, --unknown-share F, or keep few-image identities as unknowns`);
  }
  const results: ModeResult[] = [];
  const outcomes = new Map<string, ProbeOutcome[]>();
  const curves = new Map<string, OpenSetCurve>();
  const embeds: EmbedSummary[] = [];
  for (const p of spec.pipelines) {
    const e = await embedForRun(manifest, p, deps);
    embeds.push(e);
    const table = loadEmbeddingTable(manifest, e.cacheDir, p.embedder.output.dim);
    for (const mode of spec.modes) {
      if (deps.signal?.aborted) throw new FrwError('CANCELLED', 'run cancelled; the embeddings computed so far stay cached');
      deps.onStage?.(`searching ${p.embedder.id} / ${mode} (${spec.index.kind})`);
      const r = await evaluateMode(manifest, split, table, p.embedder.id, mode, spec.index.make, spec.options);
      results.push(r.result);
      outcomes.set(resultKey(p.embedder.id, mode), r.outcomes);
      curves.set(resultKey(p.embedder.id, mode), r.curve);
    }
  }
  return {
    record: {
      tool: { name: 'fr-workbench', version: TOOL_VERSION },
      createdAt: new Date().toISOString(),
      dataset: { name: manifest.name, manifestHash: manifest.hash, images: manifest.images.length },
      split: { ...spec.split, enrolledIdentities: split.gallery.length, matedProbes: split.mated.image.length, nonMatedProbes: split.nonMated.image.length, unknownSources: split.unknownSources, droppedDuplicates: split.droppedDuplicates },
      models: spec.pipelines.map((p, i) => ({ id: p.embedder.id, sha256: p.embedder.sha256, pipelineKey: pipelineKey(p), detector: p.detector?.id ?? 'pre-aligned', settings: pipelineSettings(p), embed: embeds[i] })),
      index: spec.index.kind,
      options: spec.options,
      splitHash: splitHashOf(splitRecord(split, manifest)),
    },
    split,
    results,
    outcomes,
    curves,
  };
}

export interface IdentifyRequest {
  manifest: DatasetManifest;
  spec: IdentifyRunSpec;
  /** The run folder; default <workspace>/runs/<dataset>-identify-<time>. */
  out?: string;
}

export interface IdentifyOutcome {
  runId: string;
  out: string;
  run: IdentifyRunResult;
}

/** An identification as every entry point runs it: a named run folder, the run, its files and report. */
export async function identifyToFolder(cfg: FrwConfig, req: IdentifyRequest, hooks: RunHooks = {}): Promise<IdentifyOutcome> {
  const out = path.resolve(req.out ?? path.join(workspacePaths(cfg).runs, runId(req.manifest.name, 'identify')));
  prepareRunFolder(out);
  const run = await runIdentification(req.manifest, req.spec, embeddingDeps(cfg, hooks));
  hooks.onStage?.('writing the run folder and report');
  writeIdentificationFolder(out, run, req.manifest, { 'report.html': identifyReportHtml(run) });
  return { runId: path.basename(out), out, run };
}

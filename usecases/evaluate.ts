import os from 'node:os';
import path from 'node:path';
import { workspacePaths, type FrwConfig } from '../core/config.js';
import { FrwError } from '../core/errors.js';
import { canonicalJson, sha256Hex } from '../core/hash.js';
import { TOOL_VERSION } from '../core/version.js';
import { namesIdentities, type DatasetManifest } from '../datasets/manifest.js';
import { allPairsCounts, impostorTail, scoreAllPairs, sortStreamed, type AllPairsCounts, type AllPairsOptions } from '../experiments/all-pairs.js';
import { allPairsFmrUpper } from '../experiments/budget.js';
import { maxErrorsWithin, type Interval, type SortedScores } from '../experiments/metrics/index.js';
import { breakdown } from '../experiments/breakdowns.js';
import { evaluateModel, evaluateScores, type EvaluationOptions, type ModelMetrics } from '../experiments/evaluate.js';
import { fuse } from '../experiments/fusion.js';
import type { DecisionsRecord } from '../experiments/audit/decisions.js';
import { buildComparisons, checkProtocol, identityIndex, resampleUnit, type ProtocolName } from '../experiments/protocols.js';
import { scoreComparisons } from '../experiments/scoring.js';
import { embedForRun, type EmbeddingRunDeps, type EmbedSummary } from '../pipeline/embed-dataset.js';
import { loadEmbeddingTable, type EmbeddingTable } from '../pipeline/embedding-table.js';
import { pipelineKey, pipelineSettings, type PipelineSpec } from '../pipeline/spec.js';
import { spillScores, writeRunFolder, type EvalRunResult, type RunRecord } from '../runs/eval-folder.js';
import { prepareRunFolder } from '../runs/read.js';
import { pairListRecord } from '../runs/comparisons.js';
import { evalReportHtml } from '../reports/eval-report.js';
import { embeddingDeps, runId, type RunHooks } from './deps.js';

export interface EvalRunSpec {
  protocol: ProtocolName;
  pipelines: PipelineSpec[];
  seed: number;
  impostorSample?: number;
  evaluation: EvaluationOptions;
  /** Also evaluate the weighted mean of the models' z-normalised scores (weights given, or by accuracy). */
  fusion?: { weights?: number[] };
  /** The audit decisions applied to the manifest before this run (usecases/audit-decisions.ts), recorded in run.json. */
  decisions?: DecisionsRecord;
}

export interface EvalRunDeps extends EmbeddingRunDeps {
  /** The memory an exact streamed all-pairs pass may plan for (default: the machine's, or its container's limit). */
  memoryBytes?: number;
  /** Streamed all-pairs only: receives each model's scores before they are dropped (write them to disk here). */
  spill?: (model: string, scores: SortedScores) => void;
}

/** Above this many impostor pairs, all-pairs is streamed (no pair list, so no bootstrap over identities). */
const STREAM_ABOVE = 2_000_000;

/**
 * Resident bytes a pair of the exact streamed pass needs at its peak: 4 as float32, the sort's buffers and the
 * float64 copy the metrics read (measured 16.2 on 87.5 M pairs by bench/all-pairs-memory.ts, 1.3 GiB).
 */
export const STREAMED_BYTES_PER_PAIR = 16;

/**
 * Refuse, before any embedding, an exact all-pairs pass that would not fit in three quarters of the memory: rather
 * than swap or be killed hours in, say how much it needs and what fits (a sample keeps every genuine pair).
 */
function checkStreamingMemory(identities: Int32Array, c: AllPairsCounts, memoryBytes: number): void {
  const need = STREAMED_BYTES_PER_PAIR * (c.genuine + c.impostor);
  if (need <= 0.75 * memoryBytes) return;
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
  throw new FrwError('TOO_LARGE', `all pairs of ${identities.length.toLocaleString('en')} images are ${(c.genuine + c.impostor).toLocaleString('en')} comparisons: scoring every one exactly needs about ${gib(need)} of memory (${STREAMED_BYTES_PER_PAIR} bytes a pair), more than three quarters of the ${gib(memoryBytes)} here; give --impostor-sample N (10,000,000 keeps every genuine pair; measured about 1 GiB at 10^9 pairs)`, { need, memoryBytes });
}

/** The memory this process may use: the machine's, or its container's limit when that is lower (cgroups). */
function availableMemory(): number {
  const limit = process.constrainedMemory?.() ?? 0;
  return limit > 0 ? Math.min(os.totalmem(), limit) : os.totalmem();
}

/**
 * One evaluation run: make sure every model's embeddings exist (resuming from the cache), build the comparisons
 * once, score them per model on the same pairs, compute the metrics. Pure of output files: see writeRunFolder.
 */
export async function runEvaluation(manifest: DatasetManifest, spec: EvalRunSpec, deps: EvalRunDeps): Promise<EvalRunResult> {
  if (spec.pipelines.length === 0) throw new FrwError('BAD_INPUT', 'an evaluation needs at least one model');
  // Before any embedding: streamed all pairs never build a comparison set, so they would pass unchecked.
  checkProtocol(manifest, spec.protocol);
  const ids = new Set<string>();
  for (const p of spec.pipelines) {
    if (ids.has(p.embedder.id)) throw new FrwError('BAD_INPUT', `model ${p.embedder.id} is named twice`);
    ids.add(p.embedder.id);
  }
  // Each image's bootstrap unit: its identity, or itself for a pair-only set (resampleUnit).
  const identities = identityIndex(manifest);
  const unit = resampleUnit(manifest);
  // All pairs without a sample are streamed when they are many: 13k images are 87 million pairs, too many to list.
  const allPairs = allPairsCounts(identities);
  const streaming = spec.protocol === 'all-pairs' && spec.impostorSample === undefined && allPairs.impostor > STREAM_ABOVE;
  if (streaming) checkStreamingMemory(identities, allPairs, deps.memoryBytes ?? availableMemory());
  const embeds: EmbedSummary[] = [];
  for (const p of spec.pipelines) embeds.push(await embedForRun(manifest, p, deps));
  deps.onStage?.(streaming ? 'all pairs: streaming every comparison' : `building ${spec.protocol} comparisons`);
  const set = streaming ? null : buildComparisons(manifest, spec.protocol, { seed: spec.seed, impostorSample: spec.impostorSample });
  const perModel: EvalRunResult['perModel'] = [];
  const metrics: ModelMetrics[] = [];
  let firstTable: EmbeddingTable | null = null;
  for (const [i, p] of spec.pipelines.entries()) {
    // Between models, and between blocks of rows of a streamed all-pairs pass, a cancelled run stops.
    if (deps.signal?.aborted) throw new FrwError('CANCELLED', 'run cancelled; the embeddings computed so far stay cached');
    deps.onStage?.(`scoring ${p.embedder.id}`);
    const table = loadEmbeddingTable(manifest, embeds[i].cacheDir, p.embedder.output.dim);
    firstTable ??= table;
    if (set) {
      const scored = scoreComparisons(set, table);
      const evaluated = evaluateModel(p.embedder.id, set, scored, identities, spec.evaluation, unit);
      evaluated.metrics.breakdown = breakdown(manifest, set, scored, table, evaluated.metrics.eer.threshold, spec.evaluation.level);
      metrics.push(evaluated.metrics);
      perModel.push({ model: p.embedder.id, scored, curves: evaluated.curves });
      continue;
    }
    const passes = { threads: deps.workers, signal: deps.signal };
    const streamed = await scoreAllPairs(table, identities, passes);
    // Sorted as float32 (no float64 radix buffer) straight into the float64 the metrics read; the float32 go.
    const sorted = await sortStreamed(streamed, deps.workers);
    const why = `skipped: ${sorted.impostor.length.toLocaleString('en')} impostor pairs are too many to resample; rerun with --impostor-sample for bootstrap intervals (the budget rule's bound is bootstrapped from the impostor tail)`;
    const fmrUpperAt = await budgetBootstrapOfAllPairs(table, identities, sorted.impostor, spec.evaluation, passes, deps.onStage);
    const evaluated = evaluateScores(p.embedder.id, sorted, streamed.excluded, { bootstrapPairs: null, bootstrapSkipped: why, folds: null, fmrUpperAt }, spec.evaluation);
    deps.spill?.(p.embedder.id, sorted);
    metrics.push(evaluated.metrics);
    perModel.push({ model: p.embedder.id, scored: null, curves: evaluated.curves });
  }
  if (spec.fusion) {
    if (!set) throw new FrwError('BAD_INPUT', 'fusion needs listed comparisons; with all-pairs give --impostor-sample');
    const f = fuse(perModel.map((p, i) => ({ model: p.model, scored: p.scored!, metrics: metrics[i] })), set.same, spec.fusion.weights);
    deps.onStage?.(`scoring ${f.id}`);
    const evaluated = evaluateModel(f.id, set, f.scored, identities, spec.evaluation, unit);
    evaluated.metrics.fusion = { weights: f.weights, normalisation: f.normalisation, weighting: f.weighting };
    // Quality fields come from the detector, which every model of a run shares: any model's table serves.
    evaluated.metrics.breakdown = breakdown(manifest, set, f.scored, firstTable!, evaluated.metrics.eer.threshold, spec.evaluation.level);
    metrics.push(evaluated.metrics);
    perModel.push({ model: f.id, scored: f.scored, curves: evaluated.curves });
  }
  const counts = set ? { total: set.same.length, genuine: set.same.reduce((a, b) => a + b, 0) } : { total: allPairs.genuine + allPairs.impostor, genuine: allPairs.genuine };
  const genuine = counts.genuine;
  const base: Omit<RunRecord, 'createdAt' | 'specHash'> = {
    tool: { name: 'fr-workbench', version: TOOL_VERSION },
    dataset: { name: manifest.name, kind: manifest.kind, root: manifest.root, manifestHash: manifest.hash, images: manifest.images.length, identities: namesIdentities(manifest) ? manifest.identities.length : 0 },
    protocol: spec.protocol,
    seed: spec.seed,
    impostorSampling: set?.impostorSampling ?? null,
    comparisons: { total: counts.total, genuine, impostor: counts.total - genuine },
    models: spec.pipelines.map((p, i) => ({
      id: p.embedder.id,
      sha256: p.embedder.sha256,
      pipelineKey: pipelineKey(p),
      settings: pipelineSettings(p),
      detector: p.detector?.id ?? 'pre-aligned',
      detectorSha256: p.detector?.sha256 ?? null,
      flip: p.flip,
      policy: p.policy,
      embed: embeds[i],
    })),
    evaluation: spec.evaluation,
    ...(spec.decisions && { decisions: spec.decisions }),
  };
  const specHash = sha256Hex(canonicalJson({ ...base, models: base.models.map(({ embed: _e, ...m }) => m) }));
  // The pair list's proof follows from the spec and data, so it stays out of the spec hash (kept as it was).
  const record: RunRecord = { ...base, createdAt: new Date().toISOString(), specHash, pairList: pairListRecord(set, manifest.images.map((i) => i.path)) };
  return { record, set, metrics, perModel };
}


/** Above this many false matches allowed, the impostor tail a budget's bootstrap lists would be too large (12 bytes a pair). */
const TAIL_LIMIT = 5_000_000;

/**
 * Streamed all pairs keep no pair list, yet the budget rule wants its identity bootstrap: a second pass lists only the
 * impostor pairs the largest budget could allow (the tail above its Clopper-Pearson threshold), from which every
 * replicate's FMR follows in closed form (experiments/metrics/all-pairs-bootstrap.ts). undefined when no budget rule
 * asks for it or the bootstrap is off.
 */
async function budgetBootstrapOfAllPairs(table: EmbeddingTable, identities: Int32Array, sortedImpostor: Float64Array, ev: EvaluationOptions, passes: AllPairsOptions, onStage?: (m: string) => void): Promise<((t: number) => Interval) | undefined> {
  const targets = ev.rules.flatMap((r) => (r.kind === 'fmr-bound' ? [r.target] : []));
  if (ev.bootstrap === 0 || targets.length === 0) return undefined;
  const n = sortedImpostor.length;
  const allowance = Math.max(...targets.map((f) => maxErrorsWithin(f, n, ev.level)));
  if (allowance < 0) return undefined; // no budget can be backed: nothing to bootstrap
  if (allowance + 1 >= TAIL_LIMIT || allowance + 1 >= n) {
    onStage?.(`all pairs: the budget rule uses Clopper-Pearson's bound alone: its bootstrap would list ${(allowance + 1).toLocaleString('en')} impostor pairs (at most ${TAIL_LIMIT.toLocaleString('en')}); lower the budget or sample the impostors`);
    return undefined;
  }
  const floor = sortedImpostor[n - allowance - 1];
  onStage?.(`all pairs: listing the ${(allowance + 1).toLocaleString('en')}-odd highest impostor pairs for the budget's bootstrap over identities`);
  const tail = await impostorTail(table, identities, floor, passes);
  let ids = 0;
  for (const id of identities) ids = Math.max(ids, id + 1); // a loop: spreading 13k arguments can overflow the stack
  const perIdentity = new Float64Array(ids);
  identities.forEach((id, i) => table.ok[i] && perIdentity[id]++);
  return allPairsFmrUpper({ score: tail.score, idA: Int32Array.from(tail.a, (i) => identities[i]), idB: Int32Array.from(tail.b, (i) => identities[i]), floor }, perIdentity, { replicates: ev.bootstrap, seed: ev.seed, level: ev.level });
}

/** An evaluation as every entry point runs it: a named run folder, the run, its files and report. */
export interface EvaluateRequest {
  manifest: DatasetManifest;
  spec: EvalRunSpec;
  /** The run folder; default <workspace>/runs/<dataset>-<protocol>-<time>. */
  out?: string;
}

export interface EvaluateOutcome {
  runId: string;
  out: string;
  result: EvalRunResult;
}

export async function evaluateToFolder(cfg: FrwConfig, req: EvaluateRequest, hooks: RunHooks = {}): Promise<EvaluateOutcome> {
  const out = path.resolve(req.out ?? path.join(workspacePaths(cfg).runs, runId(req.manifest.name, req.spec.protocol)));
  prepareRunFolder(out);
  const result = await runEvaluation(req.manifest, req.spec, { ...embeddingDeps(cfg, hooks), spill: (model, scores) => spillScores(out, model, scores) });
  hooks.onStage?.('writing the run folder and report');
  writeRunFolder(out, result, req.manifest, { 'report.html': evalReportHtml(result) });
  return { runId: path.basename(out), out, result };
}

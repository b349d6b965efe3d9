import fs from 'node:fs';
import path from 'node:path';
import { FrwError } from '../core/errors.js';
import { canonicalJson, sha256Hex } from '../core/hash.js';
import { writeFileAtomic } from '../core/lock.js';
import { TOOL_VERSION } from '../core/version.js';
import type { DatasetManifest } from '../datasets/manifest.js';
import { embedForRun, type EmbeddingRunDeps, type EmbedSummary } from '../pipeline/embed-dataset.js';
import { loadEmbeddingTable, type EmbeddingTable } from '../pipeline/embedding-table.js';
import { sortFloat32 } from '../experiments/metrics/radix-sort.js';
import { breakdown } from '../experiments/breakdowns.js';
import { fuse } from '../experiments/fusion.js';
import { allPairsCounts, scoreAllPairs, type StreamedPairScores } from '../experiments/all-pairs.js';
import { evaluateModel, evaluateScores, type EvaluationOptions, type ModelCurves, type ModelMetrics } from '../experiments/evaluate.js';
import { pipelineKey, pipelineSettings, type PipelineSpec } from '../pipeline/spec.js';
import { buildComparisons, identityIndex, type ComparisonSet, type ProtocolName } from '../experiments/protocols.js';
import { scoreComparisons, type ScoredComparisons } from '../experiments/scoring.js';

export interface EvalRunSpec {
  protocol: ProtocolName;
  pipelines: PipelineSpec[];
  seed: number;
  impostorSample?: number;
  evaluation: EvaluationOptions;
  /** Also evaluate the weighted mean of the models' z-normalised scores (weights given, or by accuracy). */
  fusion?: { weights?: number[] };
}

export interface EvalRunDeps extends EmbeddingRunDeps {
  /** Streamed all-pairs only: receives each model's scores before they are dropped (write them to disk here). */
  spill?: (model: string, scores: StreamedPairScores) => void;
}

/** What `run.json` records: enough to reproduce the run and to tell whether two runs are comparable. */
export interface RunRecord {
  tool: { name: 'fr-workbench'; version: string };
  createdAt: string;
  dataset: { name: string; kind: string; root: string; manifestHash: string; images: number; identities: number };
  protocol: ProtocolName;
  seed: number;
  impostorSampling: ComparisonSet['impostorSampling'];
  comparisons: { total: number; genuine: number; impostor: number };
  models: Array<{ id: string; sha256: string; pipelineKey: string; detector: string; detectorSha256: string | null; flip: boolean; policy: string; settings: Record<string, unknown>; embed: EmbedSummary }>;
  evaluation: EvaluationOptions;
  /** sha256 over everything above except createdAt: equal specs on equal data give equal ids. */
  specHash: string;
}

export interface EvalRunResult {
  record: RunRecord;
  /** null for the full all-pairs protocol, whose pairs are streamed, never listed. */
  set: ComparisonSet | null;
  metrics: ModelMetrics[];
  /** `scored` is null for streamed all-pairs: those scores went to `spill` and were dropped to bound memory. */
  perModel: Array<{ model: string; scored: ScoredComparisons | null; curves: ModelCurves }>;
}

/** Above this many impostor pairs, all-pairs is streamed (no pair list, so no bootstrap over identities). */
const STREAM_ABOVE = 2_000_000;

/**
 * One evaluation run: make sure every model's embeddings exist (resuming from the cache), build the comparisons
 * once, score them per model on the same pairs, compute the metrics. Pure of output files: see writeRunFolder.
 */
export async function runEvaluation(manifest: DatasetManifest, spec: EvalRunSpec, deps: EvalRunDeps): Promise<EvalRunResult> {
  if (spec.pipelines.length === 0) throw new FrwError('BAD_INPUT', 'an evaluation needs at least one model');
  const ids = new Set<string>();
  for (const p of spec.pipelines) {
    if (ids.has(p.embedder.id)) throw new FrwError('BAD_INPUT', `model ${p.embedder.id} is named twice`);
    ids.add(p.embedder.id);
  }
  const embeds: EmbedSummary[] = [];
  for (const p of spec.pipelines) embeds.push(await embedForRun(manifest, p, deps));
  const identities = identityIndex(manifest);
  // All pairs without a sample are streamed when they are many: 13k images are 87 million pairs, too many to list.
  const streaming = spec.protocol === 'all-pairs' && spec.impostorSample === undefined && allPairsCounts(identities).impostor > STREAM_ABOVE;
  deps.onStage?.(streaming ? 'all pairs: streaming every comparison' : `building ${spec.protocol} comparisons`);
  const set = streaming ? null : buildComparisons(manifest, spec.protocol, { seed: spec.seed, impostorSample: spec.impostorSample });
  const perModel: EvalRunResult['perModel'] = [];
  const metrics: ModelMetrics[] = [];
  let firstTable: EmbeddingTable | null = null;
  spec.pipelines.forEach((p, i) => {
    deps.onStage?.(`scoring ${p.embedder.id}`);
    const table = loadEmbeddingTable(manifest, embeds[i].cacheDir, p.embedder.output.dim);
    firstTable ??= table;
    if (set) {
      const scored = scoreComparisons(set, table);
      const evaluated = evaluateModel(p.embedder.id, set, scored, identities, spec.evaluation);
      evaluated.metrics.breakdown = breakdown(manifest, set, scored, table, evaluated.metrics.eer.threshold, spec.evaluation.level);
      metrics.push(evaluated.metrics);
      perModel.push({ model: p.embedder.id, scored, curves: evaluated.curves });
      return;
    }
    const streamed = scoreAllPairs(table, identities);
    // Sorted in place as float32 first, so sortScores widens without a second sort buffer (peak memory).
    sortFloat32(streamed.genuine);
    sortFloat32(streamed.impostor);
    const why = `skipped: ${streamed.impostor.length.toLocaleString('en')} impostor pairs are too many to resample; rerun with --impostor-sample for bootstrap intervals`;
    const evaluated = evaluateScores(p.embedder.id, streamed.genuine, streamed.impostor, streamed.excluded, { bootstrapPairs: null, bootstrapSkipped: why, folds: null }, spec.evaluation);
    deps.spill?.(p.embedder.id, streamed);
    metrics.push(evaluated.metrics);
    perModel.push({ model: p.embedder.id, scored: null, curves: evaluated.curves });
  });
  if (spec.fusion) {
    if (!set) throw new FrwError('BAD_INPUT', 'fusion needs listed comparisons; with all-pairs give --impostor-sample');
    const f = fuse(perModel.map((p, i) => ({ model: p.model, scored: p.scored!, metrics: metrics[i] })), set.same, spec.fusion.weights);
    deps.onStage?.(`scoring ${f.id}`);
    const evaluated = evaluateModel(f.id, set, f.scored, identities, spec.evaluation);
    evaluated.metrics.fusion = { weights: f.weights, normalisation: f.normalisation, weighting: f.weighting };
    // Quality fields come from the detector, which every model of a run shares: any model's table serves.
    evaluated.metrics.breakdown = breakdown(manifest, set, f.scored, firstTable!, evaluated.metrics.eer.threshold, spec.evaluation.level);
    metrics.push(evaluated.metrics);
    perModel.push({ model: f.id, scored: f.scored, curves: evaluated.curves });
  }
  const counts = set ? { total: set.same.length, genuine: set.same.reduce((a, b) => a + b, 0) } : (() => {
    const c = allPairsCounts(identities);
    return { total: c.genuine + c.impostor, genuine: c.genuine };
  })();
  const genuine = counts.genuine;
  const base: Omit<RunRecord, 'createdAt' | 'specHash'> = {
    tool: { name: 'fr-workbench', version: TOOL_VERSION },
    dataset: { name: manifest.name, kind: manifest.kind, root: manifest.root, manifestHash: manifest.hash, images: manifest.images.length, identities: manifest.identities.length },
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
  };
  const record: RunRecord = { ...base, createdAt: new Date().toISOString(), specHash: sha256Hex(canonicalJson({ ...base, models: base.models.map(({ embed: _e, ...m }) => m) })) };
  return { record, set, metrics, perModel };
}

/**
 * Write a run folder: run.json, metrics.json, pairs + scores (scores.csv, and float32 binaries for large sets).
 * Files are written atomically; an existing run folder is refused rather than mixed with another run.
 */
export function prepareRunFolder(outDir: string): void {
  if (fs.existsSync(path.join(outDir, 'run.json'))) throw new FrwError('CONFLICT', `${outDir} already holds a run; choose another --out`);
  fs.mkdirSync(outDir, { recursive: true });
}

/** Streamed all-pairs scores by kind, float32 little-endian; the pair order is implied by the manifest. */
export function spillScores(outDir: string, model: string, s: StreamedPairScores): void {
  const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  writeFileAtomic(path.join(outDir, `genuine-${model}.f32`), bytes(s.genuine));
  writeFileAtomic(path.join(outDir, `impostor-${model}.f32`), bytes(s.impostor));
}

export function writeRunFolder(outDir: string, result: EvalRunResult, manifest: DatasetManifest, extra: Record<string, string> = {}): void {
  prepareRunFolder(outDir);
  writeFileAtomic(path.join(outDir, 'run.json'), JSON.stringify(result.record, null, 2) + '\n');
  const metrics = { protocol: result.record.protocol, comparisons: result.record.comparisons, models: Object.fromEntries(result.metrics.map((m) => [m.model, m])) };
  writeFileAtomic(path.join(outDir, 'metrics.json'), JSON.stringify(metrics, jsonNumbers, 2) + '\n');
  // The chart points and histograms, so the workbench draws a past run without rescoring it.
  const curves = Object.fromEntries(result.perModel.map((p) => [p.model, { chart: Object.fromEntries(Object.entries(p.curves.chart).map(([k, v]) => [k, Array.from(v as Float64Array)])), histograms: p.curves.histograms }]));
  writeFileAtomic(path.join(outDir, 'curves.json'), JSON.stringify({ models: curves }, jsonNumbers) + '\n');
  const { set } = result;
  // Streamed all-pairs (set null) spilled its scores during the run (spillScores).
  if (set && set.same.length <= 200_000) {
    const header = ['image_a', 'image_b', 'same', ...(set.fold ? ['fold'] : []), ...result.perModel.map((p) => `score_${p.model}`)];
    const lines = [header.join(',')];
    for (let k = 0; k < set.same.length; k++) {
      const row = [csv(manifest.images[set.a[k]].path), csv(manifest.images[set.b[k]].path), set.same[k], ...(set.fold ? [set.fold[k]] : []), ...result.perModel.map((p) => (Number.isNaN(p.scored!.score[k]) ? 'fta' : String(p.scored!.score[k])) /* exact: the float32 score widened, so a reader rebuilds the same metrics */)];
      lines.push(row.join(','));
    }
    writeFileAtomic(path.join(outDir, 'scores.csv'), lines.join('\n') + '\n');
  } else if (set) {
    const pairs = new Int32Array(set.same.length * 2);
    for (let k = 0; k < set.same.length; k++) {
      pairs[2 * k] = set.a[k];
      pairs[2 * k + 1] = set.b[k];
    }
    writeFileAtomic(path.join(outDir, 'pairs.i32'), new Uint8Array(pairs.buffer));
    writeFileAtomic(path.join(outDir, 'same.u8'), set.same);
    for (const p of result.perModel) writeFileAtomic(path.join(outDir, `scores-${p.model}.f32`), new Uint8Array(p.scored!.score.buffer));
  }
  for (const [name, content] of Object.entries(extra)) writeFileAtomic(path.join(outDir, name), content);
}

const csv = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** JSON has no ±Infinity or NaN: write them as strings so a reader sees what they were, not null. */
export function jsonNumbers(_key: string, v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  return v;
}

import fs from 'node:fs';
import path from 'node:path';
import { workspacePaths, type FrwConfig } from '../core/config.js';
import { FrwError } from '../core/errors.js';
import type { DatasetKind, DatasetManifest } from '../datasets/manifest.js';
import { openDataset } from '../datasets/resolve.js';
import type { ModelMetrics, TarAtFmrReport } from '../experiments/evaluate.js';
import type { ModeResult } from '../experiments/identification/evaluate.js';
import { maxFalseMatches, type FoldedAccuracy } from '../experiments/metrics/index.js';
import type { ResampleUnit } from '../experiments/metrics/bootstrap.js';
import { identityIndex, resampleUnit } from '../experiments/protocols.js';
import { readProbeOutcomes } from '../runs/identification-folder.js';
import { likeForLike } from '../runs/like-for-like.js';
import { readRunFolder, runFolderId as idOf, runKindOf, type RunFolder } from '../runs/read.js';
import { readRunPairs } from '../runs/scores.js';
import { describeRule, identificationPairedTests, parseDecisionRule, verdicts, verificationPairedTests, type DecisionRule, type PairedOptions, type PairedTests } from './compare-paired.js';
import { manifestWithDecisions } from './audit-decisions.js';
import { modelFacts, type MeasuredSpeed, type ModelFacts } from './model-facts.js';

export interface CompareRequest {
  /** Run folders: ids under the workspace's runs folder, or paths. */
  runs: string[];
  /** Only the paired tests of these two rows (labels), instead of every pair. */
  pair?: [string, string];
  /** McNemar's decision rule (compare-paired.ts); default: ten-fold for lfw-10fold, else the smallest measurable target. */
  rule?: string;
  /** Paired bootstrap replicates (default 1000), seed (1) and level (0.95). */
  replicates?: number;
  seed?: number;
  level?: number;
}

export interface CompareDeps {
  /** The manifest of a run's dataset, for the identities the paired bootstrap resamples (default: opened from the run's record). */
  openManifest?: (run: RunFolder) => Promise<DatasetManifest>;
}

interface RowBase {
  /** The model's id, or run:model when the same id is in two of the runs. */
  label: string;
  run: string;
  model: string;
  /** How the run embedded it, to tell apart the same model run twice (flip, detector). */
  pipeline: { detector: string; flip: boolean | null } | null;
  /** The embedding stage's speed as measured when these embeddings were computed; null with speedNote otherwise. */
  speed: MeasuredSpeed | null;
  speedNote: string | null;
  facts: ModelFacts;
}
export interface VerificationRow extends RowBase {
  counts: ModelMetrics['counts'];
  tenFold: FoldedAccuracy | null;
  auc: number;
  eer: ModelMetrics['eer'];
  tarAtFmr: TarAtFmrReport[];
}
export interface IdentificationRow extends RowBase {
  mode: ModeResult['mode'];
  gallery: ModeResult['gallery'];
  probes: ModeResult['probes'];
  rank1: ModeResult['rank1'];
  fnirAtFpir: ModeResult['fnirAtFpir'];
}
export type PairedSummary = PairedTests & { summary: string[] };
interface CompareCommon {
  basis: string;
  runs: Array<{ id: string; dir: string; dataset: string; protocol: string | null; createdAt: string }>;
  rule: { text: string; description: string };
  paired: PairedSummary[];
  /** Why there are no paired tests at all (streamed all-pairs keeps no pair list), else null. */
  pairedNote: string | null;
  options: { replicates: number; seed: number; level: number };
}
export type CompareResult = CompareCommon & ({ kind: 'eval'; targets: number[]; rows: VerificationRow[] } | { kind: 'identify'; targets: number[]; rows: IdentificationRow[] });

/** A run folder by id (under the workspace's runs folder) or by path; NOT_FOUND when neither holds a run. */
export function resolveRunDir(cfg: FrwConfig, ref: string): string {
  const asPath = path.resolve(ref);
  if (fs.existsSync(asPath) && runKindOf(asPath)) return asPath;
  if (/^[\w.-]+$/.test(ref) && !ref.startsWith('.')) {
    const dir = path.join(workspacePaths(cfg).runs, ref);
    if (runKindOf(dir)) return dir;
  }
  throw new FrwError('NOT_FOUND', `no run "${ref}": neither a run folder at ${asPath} nor a run id under ${workspacePaths(cfg).runs}`);
}

/** Plain labels where they are unique across the runs, run:label where the same one occurs in two runs. */
function label(items: Array<{ run: string; key: string }>): string[] {
  const n = new Map<string, number>();
  for (const i of items) n.set(i.key, (n.get(i.key) ?? 0) + 1);
  return items.map((i) => (n.get(i.key)! > 1 ? `${i.run}:${i.key}` : i.key));
}

function speedOf(embed: { timing?: MeasuredSpeed | null } | undefined, fused: boolean): { speed: MeasuredSpeed | null; speedNote: string | null } {
  if (fused) return { speed: null, speedNote: 'not measured: a fused score runs every model it fuses' };
  if (!embed || embed.timing === undefined) return { speed: null, speedNote: 'not measured: the run was written before frw recorded embedding speed' };
  if (embed.timing === null) return { speed: null, speedNote: 'not measured: these embeddings were computed by an frw that did not time them' };
  return { speed: embed.timing, speedNote: null };
}

/**
 * Line up the models of one or more runs scored on the same comparisons: like-for-like first (refused with the
 * reason otherwise, NOT_COMPARABLE), then one row per model (per model and mode for identification) with its
 * metrics, speed and facts, and the paired tests of every pair of rows (or `pair`).
 */
export async function compareRuns(cfg: FrwConfig, req: CompareRequest, deps: CompareDeps = {}): Promise<CompareResult> {
  if (req.runs.length === 0) throw new FrwError('BAD_INPUT', 'give one or more runs to compare');
  const dirs = req.runs.map((r) => resolveRunDir(cfg, r));
  const twice = dirs.find((d, i) => dirs.indexOf(d) !== i);
  if (twice) throw new FrwError('BAD_INPUT', `run ${path.basename(twice)} is named twice`);
  const runs = dirs.map((d) => readRunFolder(d));
  const check = likeForLike(runs);
  if (!check.comparable) throw new FrwError('NOT_COMPARABLE', check.reason, { runs: runs.map(idOf) });
  const options = { replicates: req.replicates ?? 1000, seed: req.seed ?? 1, level: req.level ?? 0.95 };
  if (!Number.isInteger(options.replicates) || options.replicates < 1) throw new FrwError('BAD_INPUT', `replicates must be a positive integer, got ${options.replicates}`);
  const roots = { modelRoot: cfg.modelRoot, userModelsDir: workspacePaths(cfg).userModels };
  const listed = runs.map((r) => ({ id: idOf(r), dir: r.dir, dataset: r.record.dataset.name, protocol: r.kind === 'eval' ? r.record.protocol : null, createdAt: r.record.createdAt }));
  const common = { basis: check.basis, runs: listed, options };
  if (check.kind === 'eval') return { ...common, ...(await compareEval(runs as Array<RunFolder & { kind: 'eval' }>, req, options, roots, deps, cfg)) };
  return { ...common, ...(await compareIdentify(runs as Array<RunFolder & { kind: 'identify' }>, req, options, roots)) };
}

type Roots = { modelRoot: string; userModelsDir: string };
type Options = CompareCommon['options'];

function selectPairs<R extends { label: string }>(rows: R[], pair: [string, string] | undefined): Array<[R, R]> {
  if (!pair) return rows.flatMap((a, i) => rows.slice(i + 1).map((b): [R, R] => [a, b]));
  const find = (l: string) => rows.find((r) => r.label === l) ?? (() => { throw new FrwError('BAD_INPUT', `--pair: no row "${l}"; the rows are ${rows.map((r) => r.label).join(', ')}`); })();
  if (pair[0] === pair[1]) throw new FrwError('BAD_INPUT', '--pair needs two different rows');
  return [[find(pair[0]), find(pair[1])]];
}

async function compareEval(runs: Array<RunFolder & { kind: 'eval' }>, req: CompareRequest, o: Options, roots: Roots, deps: CompareDeps, cfg: FrwConfig) {
  const items = runs.flatMap((r) => {
    if (!r.metrics) throw new FrwError('INTEGRITY', `run ${idOf(r)} has no metrics.json`);
    return Object.values(r.metrics.models).map((m) => ({ r, m, key: m.model, run: idOf(r) }));
  });
  const labels = label(items);
  const rows: VerificationRow[] = await Promise.all(items.map(async ({ r, m }, i) => {
    const rec = r.record.models.find((x) => x.id === m.model);
    return {
      label: labels[i], run: idOf(r), model: m.model,
      pipeline: rec ? { detector: rec.detector, flip: rec.flip } : null,
      ...speedOf(rec?.embed, !rec),
      facts: await modelFacts(rec ? { id: rec.id, sha256: rec.sha256, dim: rec.settings?.embedder.output.dim } : null, m.model, roots),
      counts: m.counts, tenFold: m.tenFold, auc: m.auc, eer: m.eer, tarAtFmr: m.tarAtFmr,
    };
  }));
  const targets = [...new Set(runs.flatMap((r) => r.record.evaluation.fmrTargets))].sort((a, b) => b - a);
  const impostors = Math.min(...rows.map((r) => r.counts.impostor));
  const rule: DecisionRule = req.rule ? parseDecisionRule(req.rule) : runs.every((r) => r.record.protocol === 'lfw-10fold') ? { kind: 'ten-fold' } : (() => {
    const f = [...targets].reverse().find((t) => maxFalseMatches(t, impostors) >= 1);
    return f === undefined ? { kind: 'eer' as const } : { kind: 'fmr' as const, target: f };
  })();
  const ruleOut = { text: ruleText(rule), description: describeRule(rule) };
  const { identity, unit, paths } = await identityOf(runs[0], deps, cfg);
  // Large runs keep their pairs as manifest indices: named through the manifest when it could be opened.
  const pairs = items.map(({ r, m }) => readRunPairs(r.dir, m.model, paths));
  if (pairs.some((p) => !p)) return { kind: 'eval' as const, targets, rows, rule: ruleOut, paired: [], pairedNote: 'streamed all-pairs runs keep sorted scores, not each comparison\'s: paired tests need the pairs (rerun with --impostor-sample)' };
  const po: PairedOptions = { rule, targets, ...o, identity, unit };
  const paired = selectPairs(rows.map((row, i) => ({ ...row, i })), req.pair).map(([a, b]) => {
    const t = verificationPairedTests({ label: a.label, pairs: pairs[a.i]! }, { label: b.label, pairs: pairs[b.i]! }, po);
    return { ...t, summary: verdicts(t) };
  });
  return { kind: 'eval' as const, targets, rows, rule: ruleOut, paired, pairedNote: null };
}

async function compareIdentify(runs: Array<RunFolder & { kind: 'identify' }>, req: CompareRequest, o: Options, roots: Roots) {
  const items = runs.flatMap((r) => r.record.results.map((m) => ({ r, m, key: `${m.model}/${m.mode}`, run: idOf(r) })));
  const labels = label(items);
  const rows: IdentificationRow[] = await Promise.all(items.map(async ({ r, m }, i) => {
    const rec = r.record.models.find((x) => x.id === m.model);
    return {
      label: labels[i], run: idOf(r), model: m.model, mode: m.mode,
      pipeline: rec ? { detector: rec.detector, flip: rec.settings?.flip ?? null } : null,
      ...speedOf(rec?.embed, false),
      facts: await modelFacts(rec ? { id: rec.id, sha256: rec.sha256, dim: rec.settings?.embedder.output.dim } : { id: m.model }, m.model, roots),
      gallery: m.gallery, probes: m.probes, rank1: m.rank1, fnirAtFpir: m.fnirAtFpir,
    };
  }));
  const targets = [...new Set(runs.flatMap((r) => r.record.options.fpirTargets))].sort((a, b) => b - a);
  const measurable = (t: number) => rows.every((row) => row.fnirAtFpir.some((p) => p.targetFpir === t && p.measurable));
  const f = [...targets].reverse().find(measurable);
  const rule: DecisionRule = req.rule ? parseDecisionRule(req.rule) : { kind: 'fpir', target: f ?? targets[0] };
  const po: PairedOptions = { rule, targets: [], ...o, identity: { unavailable: 'identification' } };
  const sides = items.map(({ r, m }, i) => ({ label: labels[i], result: m, outcomes: readProbeOutcomes(r.dir, m.model, m.mode) }));
  const paired = selectPairs(sides.map((s) => ({ ...s })), req.pair).map(([a, b]) => {
    const t = identificationPairedTests(a, b, po);
    return { ...t, summary: verdicts(t) };
  });
  return { kind: 'identify' as const, targets, rows, rule: { text: ruleText(rule), description: describeRule(rule) }, paired, pairedNote: null };
}

const ruleText = (r: DecisionRule) => (r.kind === 'fmr' || r.kind === 'fpir' ? `${r.kind}=${r.target}` : r.kind);

/** Identity index per image path of the run's dataset and its image paths, or why they cannot be had (the dataset is gone or changed). */
async function identityOf(run: RunFolder & { kind: 'eval' }, deps: CompareDeps, cfg: FrwConfig): Promise<{ identity: PairedOptions['identity']; unit?: ResampleUnit; paths?: string[] }> {
  const rec = run.record;
  const open = deps.openManifest ?? (() => openDataset(rec.dataset.root, cfg, { kind: rec.dataset.kind as DatasetKind }));
  let manifest: DatasetManifest;
  try {
    manifest = await open(run);
  } catch (e) {
    return { identity: { unavailable: `the identities of ${rec.dataset.name} could not be read: ${(e as Error).message}` } };
  }
  // A run on decided data (frw eval --decisions) scored the decided manifest: rebuild it the same way.
  if (rec.decisions) {
    try {
      manifest = manifestWithDecisions(manifest, rec.decisions.file).manifest;
    } catch (e) {
      return { identity: { unavailable: `the decisions ${rec.decisions.file} this run applied could not be applied again: ${(e as Error).message}` } };
    }
  }
  if (manifest.hash !== rec.dataset.manifestHash) return { identity: { unavailable: `dataset ${rec.dataset.name} has changed since these runs (manifest ${manifest.hash.slice(0, 8)}…, the runs' ${rec.dataset.manifestHash.slice(0, 8)}…): its identities are not the runs'` } };
  const ids = identityIndex(manifest);
  const index = new Map(manifest.images.map((img, i) => [img.path, ids[i]]));
  // A pair-only set names no identities: each image is its own, and the bootstrap resamples images.
  return { identity: (p: string) => index.get(p) ?? -1, unit: resampleUnit(manifest), paths: manifest.images.map((i) => i.path) };
}

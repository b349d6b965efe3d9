import path from 'node:path';
import { workspacePaths, type FrwConfig } from '../core/config.js';
import { FrwError } from '../core/errors.js';
import { TOOL_VERSION } from '../core/version.js';
import type { DatasetManifest, ProblemKind } from '../datasets/manifest.js';
import type { GalleryProbeSets } from '../datasets/gallery-probe.js';
import type { ChallengeRow, ChallengeSpec } from '../experiments/identification/challenge.js';
import { evaluateMode, type IdentificationOptions, type ModeResult, type ProbeOutcome } from '../experiments/identification/evaluate.js';
import { splitFromSets } from '../experiments/identification/given-split.js';
import { makeSplit, splitRecord, type IdentificationSplit, type SplitOptions } from '../experiments/identification/split.js';
import type { OpenSetCurve } from '../experiments/metrics/index.js';
import { embedForRun, type EmbeddingRunDeps, type EmbedSummary } from '../pipeline/embed-dataset.js';
import { loadEmbeddingTable } from '../pipeline/embedding-table.js';
import { pipelineKey, pipelineSettings, type PipelineSpec } from '../pipeline/spec.js';
import { identifyReportHtml } from '../reports/identify-report.js';
import { prepareRunFolder } from '../runs/read.js';
import { resultKey, splitSummary, writeIdentificationFolder, type IdentifyRunResult } from '../runs/identification-folder.js';
import { splitHashOf } from '../runs/comparisons.js';
import type { DecisionsRecord } from '../experiments/audit/decisions.js';
import type { IndexFactory, IndexKind } from '../search/indexes.js';
import type { MatchMode } from '../search/templates.js';
import { embeddingDeps, runId, type RunHooks } from './deps.js';
import { strangerThumbnails } from './identify-thumbnails.js';

/**
 * The gallery and probe sets the data gives (datasets/gallery-probe.ts; the manifest of the run is theirs), and the
 * challenge scoring to do when strangers carry a label of their own.
 */
export interface GivenSplit {
  sets: GalleryProbeSets;
  challenge: { unknownLabel: string; threshold: number | null } | null;
}

export interface IdentifyRunSpec {
  pipelines: PipelineSpec[];
  modes: MatchMode[];
  /** A seeded split of the dataset, or the sets the data defines. */
  split: SplitOptions | GivenSplit;
  index: { kind: IndexKind; make: IndexFactory };
  options: IdentificationOptions;
  /** The audit decisions applied to the manifest before this run (usecases/audit-decisions.ts), recorded in the run. */
  decisions?: DecisionsRecord;
}

/**
 * Open-set identification: one seeded split for every model and matching mode, embeddings from the cache (computed
 * if missing), a gallery per (model, mode), every probe searched, and the open-set metrics.
 */
export async function runIdentification(manifest: DatasetManifest, spec: IdentifyRunSpec, deps: EmbeddingRunDeps): Promise<IdentifyRunResult> {
  if (spec.pipelines.length === 0) throw new FrwError('BAD_INPUT', 'identification needs at least one model');
  const given = 'sets' in spec.split ? spec.split : null;
  if (given && given.sets.manifest !== manifest) throw new FrwError('INTERNAL', 'a gallery/probe run is evaluated on the manifest of its own sets');
  const split: IdentificationSplit = given ? splitFromSets(given.sets) : makeSplit(manifest, spec.split as SplitOptions);
  if (split.nonMated.image.length === 0) {
    throw new FrwError('BAD_INPUT', given
      ? `no unknown people among the probes of ${manifest.name}: every probe's identity is enrolled; mark strangers with --unknown-label or an unknown/ folder in the probe set`
      : `no unknown people: ${manifest.name} has no unknown set; give --unknown <path>, --unknown-share F, or keep few-image identities as unknowns`);
  }
  const challenge = given?.challenge ? challengeSpec(given.sets, given.challenge, split) : undefined;
  const submissions = new Map<string, ChallengeRow[]>();
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
      const r = await evaluateMode(manifest, split, table, p.embedder.id, mode, spec.index.make, spec.options, challenge);
      results.push(r.result);
      for (const [file, rows] of r.submissions) submissions.set(file, rows);
      outcomes.set(resultKey(p.embedder.id, mode), r.outcomes);
      curves.set(resultKey(p.embedder.id, mode), r.curve);
    }
  }
  return {
    record: {
      tool: { name: 'fr-workbench', version: TOOL_VERSION },
      createdAt: new Date().toISOString(),
      dataset: { name: manifest.name, manifestHash: manifest.hash, images: manifest.images.length, problems: problemCounts(manifest) },
      split: splitSummary(split),
      models: spec.pipelines.map((p, i) => ({ id: p.embedder.id, sha256: p.embedder.sha256, pipelineKey: pipelineKey(p), detector: p.detector?.id ?? 'pre-aligned', settings: pipelineSettings(p), embed: embeds[i] })),
      index: spec.index.kind,
      options: spec.options,
      splitHash: splitHashOf(splitRecord(split, manifest)),
      ...(spec.decisions && { decisions: spec.decisions }),
    },
    split,
    results,
    outcomes,
    curves,
    submissions,
  };
}

/** The manifest's problems by kind: a test CSV naming a missing file is counted here, never silently dropped. */
function problemCounts(manifest: DatasetManifest): Partial<Record<ProblemKind, number>> {
  const out: Partial<Record<ProblemKind, number>> = {};
  for (const p of manifest.problems) out[p.kind] = (out[p.kind] ?? 0) + 1;
  return out;
}

/**
 * Challenge scoring needs labels the format can hold (it separates the five by spaces). The strangers' label is no
 * enrolled person's: a gallery image under it was refused with the split (given-split.ts).
 */
function challengeSpec(sets: GalleryProbeSets, c: NonNullable<GivenSplit['challenge']>, split: IdentificationSplit): ChallengeSpec {
  const spaced = [c.unknownLabel, ...split.gallery.map((g) => g.identity)].find((l) => /[\s,]/.test(l));
  if (spaced !== undefined) throw new FrwError('BAD_INPUT', `label ${JSON.stringify(spaced)} holds a space or comma: the challenge's submission separates its five labels by spaces; rename it, or run without --unknown-label`);
  return { ...c, nameOf: (i) => sets.listedAs[i] };
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
  const faces = await strangerThumbnails(cfg, req.manifest, run, req.spec.pipelines);
  writeIdentificationFolder(out, run, req.manifest, { 'report.html': identifyReportHtml(run, faces) });
  return { runId: path.basename(out), out, run };
}

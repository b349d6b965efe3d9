import path from 'node:path';
import { FrwError } from '../core/errors.js';
import { writeFileAtomic } from '../core/lock.js';
import { TOOL_VERSION } from '../core/version.js';
import type { DatasetManifest } from '../datasets/manifest.js';
import { embedForRun, type EmbeddingRunDeps, type EmbedSummary } from '../pipeline/embed-dataset.js';
import { loadEmbeddingTable } from '../pipeline/embedding-table.js';
import type { OpenSetCurve } from '../experiments/metrics/index.js';
import { pipelineKey, pipelineSettings, type PipelineSpec } from '../pipeline/spec.js';
import { evaluateMode, type IdentificationOptions, type IndexFactory, type ModeResult, type ProbeOutcome } from '../experiments/identification/evaluate.js';
import { jsonNumbers } from './eval-folder.js';
import { makeSplit, splitRecord, type IdentificationSplit, type SplitOptions } from '../experiments/identification/split.js';
import type { MatchMode } from '../search/templates.js';

export interface IdentifyRunSpec {
  pipelines: PipelineSpec[];
  modes: MatchMode[];
  split: SplitOptions;
  index: { kind: string; make: IndexFactory };
  options: IdentificationOptions;
}

export type IdentifyRunDeps = EmbeddingRunDeps;

export interface IdentifyRunResult {
  record: {
    tool: { name: 'fr-workbench'; version: string };
    createdAt: string;
    dataset: { name: string; manifestHash: string; images: number };
    split: SplitOptions & { enrolledIdentities: number; matedProbes: number; nonMatedProbes: number; unknownSources: IdentificationSplit['unknownSources']; droppedDuplicates: number };
    models: Array<{ id: string; sha256: string; pipelineKey: string; detector: string; settings: Record<string, unknown>; embed: EmbedSummary }>;
    index: string;
    options: IdentificationOptions;
  };
  split: IdentificationSplit;
  results: ModeResult[];
  outcomes: Map<string, ProbeOutcome[]>;
  curves: Map<string, OpenSetCurve>;
}

export const resultKey = (model: string, mode: MatchMode) => `${model}/${mode}`;

/**
 * Open-set identification: one seeded split for every model and matching mode, embeddings from the cache (computed
 * if missing), a gallery per (model, mode), every probe searched, and the open-set metrics.
 */
export async function runIdentification(manifest: DatasetManifest, spec: IdentifyRunSpec, deps: IdentifyRunDeps): Promise<IdentifyRunResult> {
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
    },
    split,
    results,
    outcomes,
    curves,
  };
}

/** identification.json, split.json and one probes-<model>-<mode>.csv per result (for replay through the engine). */
export function writeIdentificationFolder(outDir: string, run: IdentifyRunResult, manifest: DatasetManifest, extra: Record<string, string> = {}): void {
  writeFileAtomic(path.join(outDir, 'identification.json'), JSON.stringify({ ...run.record, results: run.results }, null, 2) + '\n');
  writeFileAtomic(path.join(outDir, 'split.json'), JSON.stringify(splitRecord(run.split, manifest)) + '\n');
  // FNIR against FPIR per (model, mode), so the workbench draws a past run without searching again.
  const curves = Object.fromEntries([...run.curves].map(([key, c]) => [key, { threshold: Array.from(c.threshold), fpir: Array.from(c.fpir), fnir: Array.from(c.fnir) }]));
  writeFileAtomic(path.join(outDir, 'curves.json'), JSON.stringify({ curves }, jsonNumbers) + '\n');
  for (const [key, list] of run.outcomes) {
    const csv = (s: string | null) => (s === null ? '' : /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const lines = ['image,mate,top1,score,mate_rank', ...list.map((o) => [csv(o.image), csv(o.mate), csv(o.top1), o.score === null ? '' : String(o.score) /* the exact value (a float32 widened): replay compares bit for bit */, o.mateRank].join(','))];
    writeFileAtomic(path.join(outDir, `probes-${key.replace('/', '-')}.csv`), lines.join('\n') + '\n');
  }
  for (const [name, content] of Object.entries(extra)) writeFileAtomic(path.join(outDir, name), content);
}

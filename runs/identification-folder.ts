import fs from 'node:fs';
import path from 'node:path';
import { FrwError } from '../core/errors.js';
import { writeFileAtomic } from '../core/lock.js';
import { parseCsv } from '../datasets/csv.js';
import type { DatasetManifest, ProblemKind } from '../datasets/manifest.js';
import type { IdentificationOptions, ModeResult, ProbeOutcome } from '../experiments/identification/evaluate.js';
import { splitRecord, type IdentificationSplit, type SplitOptions } from '../experiments/identification/split.js';
import type { ChallengeRow } from '../experiments/identification/challenge.js';
import type { GalleryProbeDescription } from '../datasets/gallery-probe.js';
import type { OpenSetCurve } from '../experiments/metrics/index.js';
import type { DecisionsRecord } from '../experiments/audit/decisions.js';
import type { EmbedSummary } from '../pipeline/embed-dataset.js';
import type { PipelineSettings } from '../pipeline/spec.js';
import type { MatchMode } from '../search/templates.js';
import { writeCsvFile, writeJsonFile } from './format.js';

/** The split's counts, whichever protocol made it. */
export interface SplitCounts {
  enrolledIdentities: number;
  matedProbes: number;
  nonMatedProbes: number;
  unknownSources: IdentificationSplit['unknownSources'];
  /** Probes left out as copies of a gallery image (split.json `leaks` lists them). */
  droppedDuplicates: number;
}

/**
 * What identification.json says of its split: a seeded split's settings (`protocol` absent in runs written before
 * gallery/probe sets existed), or the gallery and probe sets the data gave, with the rule that sorted their probes.
 */
export type SplitSummary = ((SplitOptions & { protocol?: 'seeded' }) | { protocol: 'gallery-probe'; sets: GalleryProbeDescription; rule: string }) & SplitCounts;

/** What `identification.json` records besides the results: the split, the models' pipelines, the search. */
export interface IdentificationRecord {
  tool: { name: 'fr-workbench'; version: string };
  createdAt: string;
  /** `problems`: the manifest's problems by kind (a listed file that is missing, a bad row…); absent in older runs. */
  dataset: { name: string; manifestHash: string; images: number; problems?: Partial<Record<ProblemKind, number>> };
  split: SplitSummary;
  models: Array<{ id: string; sha256: string; pipelineKey: string; detector: string; settings: PipelineSettings; embed: EmbedSummary }>;
  index: string;
  options: IdentificationOptions;
  /** sha256 of the split's gallery and probes (comparisons.ts splitHashOf); absent in runs written before frw recorded it. */
  splitHash?: string;
  /** The audit decisions file applied to the dataset first (path, sha256, effect); absent when none was. */
  decisions?: DecisionsRecord;
}

export interface IdentifyRunResult {
  record: IdentificationRecord;
  split: IdentificationSplit;
  results: ModeResult[];
  /** Every probe's outcome and the FNIR–FPIR curve, by resultKey(model, mode). */
  outcomes: Map<string, ProbeOutcome[]>;
  curves: Map<string, OpenSetCurve>;
  /** Challenge submissions by file name (submission-<model>-<mode>-<rule>.csv). */
  submissions: Map<string, ChallengeRow[]>;
}

/**
 * The split's summary for identification.json. The seeded settings stay at the top level (where `frw compare` and the
 * workbench have always read them); gallery/probe sets record where they came from instead.
 */
export function splitSummary(split: IdentificationSplit): SplitSummary {
  const counts: SplitCounts = {
    enrolledIdentities: split.gallery.length,
    matedProbes: split.mated.image.length,
    nonMatedProbes: split.nonMated.image.length,
    unknownSources: split.unknownSources,
    droppedDuplicates: split.droppedDuplicates,
  };
  const p = split.protocol;
  if (p.kind === 'gallery-probe') return { protocol: 'gallery-probe', sets: p.sets, rule: p.rule, ...counts };
  const { kind: _kind, ...options } = p;
  return { protocol: 'seeded', ...options, ...counts };
}

export const resultKey = (model: string, mode: MatchMode) => `${model}/${mode}`;

/** split.json, curves.json, one probes-<model>-<mode>.csv per result (for replay through the engine), then identification.json. */
export function writeIdentificationFolder(outDir: string, run: IdentifyRunResult, manifest: DatasetManifest, extra: Record<string, string> = {}): void {
  writeJsonFile(path.join(outDir, 'split.json'), splitRecord(run.split, manifest), false);
  // FNIR against FPIR per (model, mode), so the workbench draws a past run without searching again.
  const curves = Object.fromEntries([...run.curves].map(([key, c]) => [key, { threshold: Array.from(c.threshold), fpir: Array.from(c.fpir), fnir: Array.from(c.fnir) }]));
  writeJsonFile(path.join(outDir, 'curves.json'), { curves }, false);
  for (const [key, list] of run.outcomes) {
    // The score is the exact value (a float32 widened): replay compares it bit for bit.
    const rows = list.map((o) => [o.image, o.mate ?? '', o.top1 ?? '', o.score === null ? '' : o.score, o.mateRank]);
    writeCsvFile(path.join(outDir, `probes-${key.replace('/', '-')}.csv`), ['image', 'mate', 'top1', 'score', 'mate_rank'], rows);
  }
  // The aivivn challenge's format: `image,label`, the five labels space-separated, best first.
  for (const [file, rows] of run.submissions) writeCsvFile(path.join(outDir, file), ['image', 'label'], rows.map((r) => [r.image, r.labels.join(' ')]));
  for (const [name, content] of Object.entries(extra)) writeFileAtomic(path.join(outDir, name), content);
  // Last: identification.json marks the folder as a run (runs/read.ts).
  writeJsonFile(path.join(outDir, 'identification.json'), { ...run.record, results: run.results });
}

/** One (model, mode)'s probe outcomes back from probes-<model>-<mode>.csv, as writeIdentificationFolder wrote them. */
export function readProbeOutcomes(dir: string, model: string, mode: MatchMode): ProbeOutcome[] {
  const file = path.join(dir, `probes-${model}-${mode}.csv`);
  if (!fs.existsSync(file)) throw new FrwError('NOT_FOUND', `${path.basename(dir)} has no probe outcomes for ${model}/${mode} (${path.basename(file)})`);
  const rows = parseCsv(fs.readFileSync(file, 'utf8'));
  const header = rows[0]?.fields ?? [];
  const [im, ma, to, sc, mr] = ['image', 'mate', 'top1', 'score', 'mate_rank'].map((h) => header.indexOf(h));
  if ([im, ma, to, sc, mr].includes(-1)) throw new FrwError('INTEGRITY', `${path.basename(file)} lacks one of image, mate, top1, score, mate_rank`);
  return rows.slice(1).filter((r) => r.fields.length === header.length).map((r) => ({
    image: r.fields[im],
    mate: r.fields[ma] === '' ? null : r.fields[ma],
    top1: r.fields[to] === '' ? null : r.fields[to],
    score: r.fields[sc] === '' ? null : Number(r.fields[sc]),
    mateRank: Number(r.fields[mr]),
  }));
}

import type { Command } from 'commander';
import { FrwError } from '../core/errors.js';
import { openDataset, resolveDatasetPath } from '../datasets/resolve.js';
import { loadGalleryProbe } from '../datasets/gallery-probe.js';
import type { FrwConfig } from '../core/config.js';
import { DEFAULT_FPIR_TARGETS } from '../experiments/identification/evaluate.js';
import { createIndexFactory, INDEX_KINDS } from '../search/indexes.js';
import { oneOf } from '../core/choice.js';
import { FEW_IMAGES_RULES } from '../experiments/identification/split.js';
import { parseModes } from '../search/templates.js';
import { identifyToFolder, type GivenSplit } from '../usecases/identify.js';
import { manifestWithDecisions } from '../usecases/audit-decisions.js';
import type { IdentifyRunResult } from '../runs/identification-folder.js';
import { action, configOf } from './context.js';
import { addDatasetOptions, datasetOptionsOf, type DatasetFlags } from './dataset.js';
import { addPipelineOptions, pipelineSpecs, type PipelineFlags } from './pipeline-options.js';
import { progressHooks } from './progress.js';

interface IdentifyFlags extends PipelineFlags, DatasetFlags {
  dataset?: string;
  gallery?: string;
  probe?: string;
  splitColumn?: string;
  galleryImages?: string;
  probeImages?: string;
  challengeThreshold?: string;
  enrol: string;
  modes: string;
  unknownShare?: string;
  fewImages: string;
  seed: string;
  index: string;
  bootstrap: string;
  fpir: string;
  out?: string;
  decisions?: string;
  json: boolean;
}

export function registerIdentify(program: Command): void {
  const cmd = program.command('identify').description('open-set identification: gallery vs probes, strangers rejected by threshold; raw vs aggregated templates');
  addDatasetOptions(cmd.option('--dataset <name|path>', 'dataset name under the data root, or a path: split by --seed (or, with --split-column, the CSV that holds both sets)'));
  cmd
    .option('--gallery <csv|folder>', 'gallery set given by the data: every image enrolled (aivivn train.csv, or a folder of identity folders)')
    .option('--probe <csv|folder>', 'probe set given by the data, searched against the gallery (its unknown label or unknown/ folder: strangers)')
    .option('--split-column <name>', 'with --dataset <csv>: the column naming each row\'s set (gallery/enrol/train or probe/test)')
    .option('--gallery-images <dir>', 'CSV gallery set: folder holding its images (default: beside the CSV)')
    .option('--probe-images <dir>', 'CSV probe set: folder holding its images (default: beside the CSV)')
    .option('--challenge-threshold <t>', 'challenge scoring: the similarity threshold of the unknown label (default: the first measurable FPIR target\'s)');
  addPipelineOptions(cmd, { multiModel: true })
    .option('--enrol <k>', 'enrolment images per identity', '1')
    .option('--modes <list>', 'matching modes: raw, mean, median, quality', 'raw,mean')
    .option('--unknown-share <f>', 'hold out this share of identities as strangers')
    .option('--few-images <rule>', 'identities with ≤ k images: unknown (strangers), enrol-only, drop', 'unknown')
    .option('--seed <n>', 'seed of the split and the bootstrap', '1')
    .option('--index <kind>', `search index: ${INDEX_KINDS.join(', ')} (flat: FAISS exact inner product; exact: the TypeScript reference)`, 'flat')
    .option('--bootstrap <n>', 'bootstrap replicates over probe identities (0 to skip)', '200')
    .option('--fpir <list>', 'FPIR targets for FNIR and the threshold', DEFAULT_FPIR_TARGETS.join(','))
    .option('--out <dir>', 'run folder (default: <workspace>/runs/<dataset>-identify-<time>)')
    .option('--decisions <file>', 'with --dataset: apply an audit decisions file (frw audit decide) first; the run records its sha256')
    .option('--json', 'print identification.json to stdout', false);
  cmd.action(
    action(async (flags: IdentifyFlags, self: Command) => {
      const cfg = configOf(self);
      const pipelines = pipelineSpecs(flags, cfg);
      const given = await givenSets(flags, self, cfg);
      if (!given && flags.dataset === undefined) throw new FrwError('BAD_INPUT', 'give --dataset <name|path> (a seeded split), or the gallery and probe sets the data defines (--gallery and --probe, or --dataset <csv> --split-column <name>)');
      if (given && flags.decisions !== undefined) throw new FrwError('BAD_INPUT', '--decisions applies to a --dataset run (a seeded split); the sets the data defines are taken as they are');
      const opened = given ? given.sets.manifest : await openDataset(flags.dataset!, cfg, datasetOptionsOf(flags));
      const decided = flags.decisions === undefined ? null : manifestWithDecisions(opened, flags.decisions);
      const manifest = decided?.manifest ?? opened;
      const num = (v: string, what: string, ok: (n: number) => boolean) => {
        const n = Number(v);
        if (!ok(n)) throw new FrwError('BAD_INPUT', `${what}: invalid value "${v}"`);
        return n;
      };
      const fewImages = oneOf(FEW_IMAGES_RULES, flags.fewImages, '--few-images');
      const fpirTargets = flags.fpir.split(',').map((x) => num(x, '--fpir', (n) => n > 0 && n < 1));
      const seed = num(flags.seed, '--seed', (n) => Number.isInteger(n) && n >= 0);
      const indexKind = oneOf(INDEX_KINDS, flags.index, '--index');
      const index = await createIndexFactory(indexKind);
      if (given && flags.challengeThreshold !== undefined) {
        if (!given.challenge) throw new FrwError('BAD_INPUT', '--challenge-threshold needs --unknown-label: challenge scoring gives strangers their own label');
        given.challenge.threshold = num(flags.challengeThreshold, '--challenge-threshold', (n) => n >= -1 && n <= 1);
      }
      const seeded = { enrol: num(flags.enrol, '--enrol', (n) => Number.isInteger(n) && n >= 1), seed, unknownShare: flags.unknownShare === undefined ? undefined : num(flags.unknownShare, '--unknown-share', (n) => n >= 0 && n < 1), fewImages };
      const { out, run } = await identifyToFolder(
        cfg,
        {
          manifest,
          spec: {
            pipelines,
            modes: parseModes(flags.modes),
            split: given ?? seeded,
            index: { kind: indexKind, make: index },
            options: { fpirTargets, seed, bootstrap: num(flags.bootstrap, '--bootstrap', (n) => Number.isInteger(n) && n >= 0), level: 0.95 },
            decisions: decided?.record,
          },
          out: flags.out,
        },
        progressHooks(),
      );
      if (flags.json) {
        process.stdout.write(JSON.stringify({ out, ...run.record, results: run.results }, null, 2) + '\n');
        return;
      }
      process.stdout.write(`\n${splitLine(manifest.name, run)}\n`);
      const problems = Object.entries(run.record.dataset.problems ?? {});
      if (problems.length > 0) process.stdout.write(`  problems in the data: ${problems.map(([k, n]) => `${n} ${k}`).join(', ')} (frw dataset inspect lists them)\n`);
      for (const r of run.results) {
        const f = r.fnirAtFpir.map((p) => (p.measurable ? `FNIR@FPIR=${p.targetFpir}: ${(100 * p.fnir).toFixed(2)}% (t=${p.threshold.toFixed(3)}, ${p.backed ? 'backed' : 'not backed'})` : `FPIR ${p.targetFpir}: not measurable`)).join(' · ');
        const b = (r.fpirBudgets ?? []).map((x) => (x.backable ? `FPIR budget ${x.targetFpir}: t=${x.threshold.toFixed(3)}, FNIR ${(100 * x.fnir.estimate).toFixed(2)}%` : `FPIR budget ${x.targetFpir}: cannot be backed (needs ${x.nonMatedToBack.toLocaleString('en')} strangers)`)).join(' · ');
        process.stdout.write(`  ${`${r.model} / ${r.mode}`.padEnd(26)} gallery ${r.gallery.identities}/${r.gallery.vectors}  rank-1 ${(100 * r.rank1.estimate).toFixed(2)}%  ${f}  ${r.search.queriesPerSecond.toFixed(0)} q/s\n`);
        if (b) process.stdout.write(`  ${''.padEnd(26)} ${b}\n`);
        const c = r.challenge;
        if (c && 'skipped' in c) process.stdout.write(`  ${''.padEnd(26)} challenge: not scored: ${c.skipped}\n`);
        for (const x of c && 'results' in c ? c.results : []) {
          const u = x.scores.unknown;
          process.stdout.write(`  ${''.padEnd(26)} challenge ${x.rule} (t=${x.threshold.toFixed(3)}): MAP@5 ${x.scores.map5.toFixed(4)}  top-1 ${(100 * x.scores.top1).toFixed(2)}%  unknown precision ${u.precision === null ? '–' : `${(100 * u.precision).toFixed(1)}%`} recall ${u.recall === null ? '–' : `${(100 * u.recall).toFixed(1)}%`}  → ${x.submission}\n`);
        }
      }
      process.stdout.write(`run folder ${out} (identification.json, split.json, probes-*.csv${run.submissions.size > 0 ? ', submission-*.csv' : ''}, report.html)\n`);
    }),
  );
}

/** The gallery and probe sets the flags name, or null for a seeded split; flags of the other protocol are refused. */
async function givenSets(flags: IdentifyFlags, self: Command, cfg: FrwConfig): Promise<GivenSplit | null> {
  if (flags.gallery === undefined && flags.probe === undefined && flags.splitColumn === undefined) {
    for (const f of ['galleryImages', 'probeImages', 'challengeThreshold'] as const) {
      if (flags[f] !== undefined) throw new FrwError('BAD_INPUT', `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to gallery/probe sets (--gallery and --probe, or --split-column)`);
    }
    return null;
  }
  // Nothing is drawn from sets the data gives: the seeded split's settings would be silently ignored.
  for (const f of ['enrol', 'fewImages'] as const) {
    if (self.getOptionValueSource(f) === 'cli') throw new FrwError('BAD_INPUT', `--${f === 'enrol' ? 'enrol' : 'few-images'} applies to a seeded split; with gallery and probe sets every gallery image is enrolled`);
  }
  if (flags.unknownShare !== undefined || flags.unknown !== undefined || flags.kind !== undefined) throw new FrwError('BAD_INPUT', '--unknown-share, --unknown and --kind apply to a seeded split of one dataset; strangers of a probe set carry --unknown-label or sit in its unknown/ folder');
  if (flags.splitColumn !== undefined && flags.dataset === undefined) throw new FrwError('BAD_INPUT', '--split-column names a column of the CSV given with --dataset');
  if (flags.splitColumn === undefined && flags.images !== undefined) throw new FrwError('BAD_INPUT', 'two CSV sets have two images folders: --gallery-images and --probe-images');
  if (flags.splitColumn !== undefined && (flags.galleryImages ?? flags.probeImages) !== undefined) throw new FrwError('BAD_INPUT', 'one CSV with a split column has one images folder: --images');
  if (flags.splitColumn === undefined && flags.dataset !== undefined) throw new FrwError('BAD_INPUT', 'give either --dataset (a seeded split, or with --split-column) or --gallery and --probe, not both');
  const sets = await loadGalleryProbe({
    gallery: flags.gallery,
    probe: flags.probe,
    csv: flags.splitColumn !== undefined ? await resolveDatasetPath(flags.dataset!, cfg) : undefined,
    splitColumn: flags.splitColumn,
    unknownLabel: flags.unknownLabel,
    galleryImages: flags.splitColumn === undefined ? flags.galleryImages : flags.images,
    probeImages: flags.probeImages,
    scan: { cfg },
  });
  return { sets, challenge: flags.unknownLabel === undefined ? null : { unknownLabel: flags.unknownLabel, threshold: null } };
}

function splitLine(name: string, run: IdentifyRunResult): string {
  const s = run.record.split;
  const leaks = run.split.leaks.length > 0 ? `; ${run.split.leaks.length} leaked probe(s) left out (split.json "leaks"): ${run.split.leaks.slice(0, 3).map((l) => `${l.probe} = ${l.gallery}`).join(', ')}${run.split.leaks.length > 3 ? ', …' : ''}` : '';
  if (s.protocol === 'gallery-probe') {
    const u = s.unknownSources;
    return `${name} (gallery/probe sets, ${s.sets.source}): ${s.enrolledIdentities} enrolled, ${s.matedProbes} mated probes, ${s.nonMatedProbes} non-mated (strangers by the unknown label or folder: ${u.datasetUnknowns}; identities absent from the gallery: ${u.notInGallery ?? 0})${leaks}`;
  }
  return `${name}: ${s.enrolledIdentities} enrolled (k=${s.enrol}), ${s.matedProbes} mated probes, ${s.nonMatedProbes} strangers${leaks}`;
}

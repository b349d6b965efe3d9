import type { Command } from 'commander';
import { FrwError } from '../core/errors.js';
import { openDataset } from '../datasets/resolve.js';
import { DEFAULT_FPIR_TARGETS } from '../experiments/identification/evaluate.js';
import { createIndexFactory, INDEX_KINDS } from '../search/indexes.js';
import { oneOf } from '../core/choice.js';
import { FEW_IMAGES_RULES } from '../experiments/identification/split.js';
import { parseModes } from '../search/templates.js';
import { identifyToFolder } from '../usecases/identify.js';
import { action, configOf } from './context.js';
import { addDatasetOptions, datasetOptionsOf, type DatasetFlags } from './dataset.js';
import { addPipelineOptions, pipelineSpecs, type PipelineFlags } from './pipeline-options.js';
import { progressHooks } from './progress.js';

interface IdentifyFlags extends PipelineFlags, DatasetFlags {
  dataset: string;
  enrol: string;
  modes: string;
  unknownShare?: string;
  fewImages: string;
  seed: string;
  index: string;
  bootstrap: string;
  fpir: string;
  out?: string;
  json: boolean;
}

export function registerIdentify(program: Command): void {
  const cmd = program.command('identify').description('open-set identification: gallery vs probes, strangers rejected by threshold; raw vs aggregated templates');
  addDatasetOptions(cmd.requiredOption('--dataset <name|path>', 'dataset name under the data root, or a path'));
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
    .option('--json', 'print identification.json to stdout', false);
  cmd.action(
    action(async (flags: IdentifyFlags, self: Command) => {
      const cfg = configOf(self);
      const pipelines = pipelineSpecs(flags, cfg);
      const manifest = await openDataset(flags.dataset, cfg, datasetOptionsOf(flags));
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
      const { out, run } = await identifyToFolder(
        cfg,
        {
          manifest,
          spec: {
            pipelines,
            modes: parseModes(flags.modes),
            split: { enrol: num(flags.enrol, '--enrol', (n) => Number.isInteger(n) && n >= 1), seed, unknownShare: flags.unknownShare === undefined ? undefined : num(flags.unknownShare, '--unknown-share', (n) => n >= 0 && n < 1), fewImages },
            index: { kind: indexKind, make: index },
            options: { fpirTargets, seed, bootstrap: num(flags.bootstrap, '--bootstrap', (n) => Number.isInteger(n) && n >= 0), level: 0.95 },
          },
          out: flags.out,
        },
        progressHooks(),
      );
      if (flags.json) {
        process.stdout.write(JSON.stringify({ out, ...run.record, results: run.results }, null, 2) + '\n');
        return;
      }
      const s = run.record.split;
      process.stdout.write(`\n${manifest.name}: ${s.enrolledIdentities} enrolled (k=${s.enrol}), ${s.matedProbes} mated probes, ${s.nonMatedProbes} strangers\n`);
      for (const r of run.results) {
        const f = r.fnirAtFpir.map((p) => (p.measurable ? `FNIR@FPIR=${p.targetFpir}: ${(100 * p.fnir).toFixed(2)}% (t=${p.threshold.toFixed(3)}, ${p.backed ? 'backed' : 'not backed'})` : `FPIR ${p.targetFpir}: not measurable`)).join(' · ');
        const b = (r.fpirBudgets ?? []).map((x) => (x.backable ? `FPIR budget ${x.targetFpir}: t=${x.threshold.toFixed(3)}, FNIR ${(100 * x.fnir.estimate).toFixed(2)}%` : `FPIR budget ${x.targetFpir}: cannot be backed (needs ${x.nonMatedToBack.toLocaleString('en')} strangers)`)).join(' · ');
        process.stdout.write(`  ${`${r.model} / ${r.mode}`.padEnd(26)} gallery ${r.gallery.identities}/${r.gallery.vectors}  rank-1 ${(100 * r.rank1.estimate).toFixed(2)}%  ${f}  ${r.search.queriesPerSecond.toFixed(0)} q/s\n`);
        if (b) process.stdout.write(`  ${''.padEnd(26)} ${b}\n`);
      }
      process.stdout.write(`run folder ${out} (identification.json, split.json, probes-*.csv, report.html)\n`);
    }),
  );
}

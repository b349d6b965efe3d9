import type { Command } from 'commander';
import { oneOf } from '../core/choice.js';
import { summarizeDataset, formatSummary } from '../datasets/inspect.js';
import { DATASET_KINDS } from '../datasets/manifest.js';
import { openDataset, type OpenDatasetOptions } from '../datasets/resolve.js';
import { action, configOf } from './context.js';

/** Flags that tell an adapter how to read a dataset that is not laid out the default way. */
export function addDatasetOptions(cmd: Command): Command {
  return cmd
    .option('--kind <kind>', `dataset layout: ${DATASET_KINDS.join(', ')} (default: detected)`)
    .option('--unknown <path>', 'folder of people who are never enrolled (default: the dataset\'s unknown/ folder)')
    .option('--unknown-label <label>', 'CSV label that marks people who are never enrolled')
    .option('--images <dir>', 'CSV datasets: folder holding the images')
    .option('--pairs <sheet>', 'pair-only sets: the pair sheet of a flat image folder (relative to the folder; default: its pairs.csv)');
}

export interface DatasetFlags {
  kind?: string;
  unknown?: string;
  unknownLabel?: string;
  images?: string;
  pairs?: string;
}

export function datasetOptionsOf(f: DatasetFlags): OpenDatasetOptions {
  return {
    kind: f.kind === undefined ? undefined : oneOf(DATASET_KINDS, f.kind, '--kind'),
    unknownPath: f.unknown,
    unknownLabel: f.unknownLabel,
    imagesDir: f.images,
    pairsPath: f.pairs,
  };
}

export function registerDataset(program: Command): void {
  const ds = program.command('dataset').description('datasets: inspect what a folder, CSV, LFW or pair-only set holds');
  const inspect = ds
    .command('inspect <nameOrPath>')
    .description('identities, images, images per identity, grayscale share, resolutions and every problem found')
    .option('--json', 'print the summary as JSON', false);
  addDatasetOptions(inspect);
  inspect.action(
    action(async (nameOrPath: string, flags: DatasetFlags & { json: boolean }, self: Command) => {
      const cfg = configOf(self);
      const manifest = await openDataset(nameOrPath, cfg, datasetOptionsOf(flags));
      const summary = summarizeDataset(manifest);
      process.stdout.write(flags.json ? JSON.stringify(summary, null, 2) + '\n' : formatSummary(summary));
    }),
  );
}

import type { Command } from 'commander';
import { workspacePaths, type FrwConfig } from '../core/config.js';
import { FrwError } from '../core/errors.js';
import { DEFAULT_DECODE } from '../datasets/image.js';
import { parseFacePolicy } from '../models/detect/policy.js';
import { DEFAULT_DETECTOR, DEFAULT_EMBEDDER, getDetectorCard, getEmbedderCard } from '../models/registry.js';
import type { PipelineSpec } from '../experiments/pipeline.js';
import { parsePositiveNumber } from './context.js';

/** Options that define the face pipeline, shared by every command that embeds images. */
export function addPipelineOptions(cmd: Command, opts: { multiModel?: boolean } = {}): Command {
  return cmd
    .option(opts.multiModel ? '--models <ids>' : '--model <id>', `embedding model card id${opts.multiModel ? 's, comma-separated' : ''}`, DEFAULT_EMBEDDER)
    .option('--detector <id>', `face detector card id, or "pre-aligned" for 112×112 aligned crops`, DEFAULT_DETECTOR)
    .option('--det-size <px>', 'detector input size (square), e.g. 640 for small faces; default from the card')
    .option('--policy <name>', 'which face to keep when several are found: central-largest, largest, central, score, reject', 'central-largest')
    .option('--flip', 'flip test-time augmentation (embedding of the face plus its mirror)', false)
    .option('--max-megapixels <n>', 'refuse images above this size', String(DEFAULT_DECODE.maxMegapixels))
    .option('--working-size <px>', 'downscale images whose long side exceeds this before detection', String(DEFAULT_DECODE.workingMaxSide));
}

export interface PipelineFlags {
  model?: string;
  models?: string;
  detector: string;
  detSize?: string;
  policy: string;
  flip: boolean;
  maxMegapixels: string;
  workingSize: string;
}

/** Build one PipelineSpec per embedder named in the flags. */
export function pipelineSpecs(flags: PipelineFlags, cfg: FrwConfig): PipelineSpec[] {
  const userModels = workspacePaths(cfg).userModels;
  const ids = (flags.models ?? flags.model ?? DEFAULT_EMBEDDER).split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) throw new FrwError('BAD_INPUT', 'name at least one model');
  const detector = flags.detector === 'pre-aligned' ? null : getDetectorCard(flags.detector, userModels);
  let detSize: [number, number] | undefined;
  if (flags.detSize !== undefined) {
    const px = parsePositiveNumber(flags.detSize, '--det-size');
    if (!Number.isInteger(px) || px % 32 !== 0) throw new FrwError('BAD_INPUT', `--det-size must be a multiple of 32, got ${flags.detSize}`);
    if (detector?.family === 'scrfd' && detector.id === 'scrfd-500m' && px !== 640) {
      throw new FrwError('BAD_INPUT', 'scrfd-500m has a fixed 640×640 input; leave --det-size out or use 640');
    }
    detSize = [px, px];
  }
  const decode = {
    maxMegapixels: parsePositiveNumber(flags.maxMegapixels, '--max-megapixels'),
    workingMaxSide: Math.round(parsePositiveNumber(flags.workingSize, '--working-size')),
  };
  const policy = parseFacePolicy(flags.policy);
  return ids.map((id) => ({ embedder: getEmbedderCard(id, userModels), detector, detSize, policy, decode, flip: Boolean(flags.flip) }));
}

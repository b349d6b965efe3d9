import type { Command } from 'commander';
import { DEFAULT_DECODE } from '../datasets/image.js';
import { DEFAULT_DETECTOR, DEFAULT_EMBEDDER } from '../models/registry.js';

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

export { pipelineSpecs, type PipelineFlags } from '../pipeline/specs.js';

import { workspacePaths, type FrwConfig } from '../core/config.js';
import { FrwError } from '../core/errors.js';
import { DEFAULT_DECODE } from '../datasets/image.js';
import { parseFacePolicy } from '../models/detect/policy.js';
import { DEFAULT_DETECTOR, DEFAULT_EMBEDDER, getDetectorCard, getEmbedderCard } from '../models/registry.js';
import type { PipelineSpec } from './spec.js';

/** Pipeline choices as a user gives them (CLI flags, a workbench form): strings, checked here. */
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
    const px = positive(flags.detSize, '--det-size');
    if (!Number.isInteger(px) || px % 32 !== 0) throw new FrwError('BAD_INPUT', `--det-size must be a multiple of 32, got ${flags.detSize}`);
    if (detector?.family === 'scrfd' && detector.id === 'scrfd-500m' && px !== 640) {
      throw new FrwError('BAD_INPUT', 'scrfd-500m has a fixed 640×640 input; leave --det-size out or use 640');
    }
    detSize = [px, px];
  }
  const decode = {
    maxMegapixels: positive(flags.maxMegapixels, '--max-megapixels'),
    workingMaxSide: Math.round(positive(flags.workingSize, '--working-size')),
  };
  const policy = parseFacePolicy(flags.policy);
  return ids.map((id) => ({ embedder: getEmbedderCard(id, userModels), detector, detSize, policy, decode, flip: Boolean(flags.flip) }));
}

function positive(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new FrwError('BAD_INPUT', `${what} must be a positive number, got "${v}"`);
  return n;
}

/**
 * The pipeline the CLI's defaults give (SCRFD-2.5G, central-largest face, default decode), flip optional: what the
 * workbench and the notebooks run a model with.
 */
export function defaultPipelines(models: string[], flip: boolean, cfg: FrwConfig): PipelineSpec[] {
  return pipelineSpecs({ models: models.join(','), detector: DEFAULT_DETECTOR, policy: 'central-largest', flip, maxMegapixels: String(DEFAULT_DECODE.maxMegapixels), workingSize: String(DEFAULT_DECODE.workingMaxSide) }, cfg);
}

import type { FrwConfig } from '../../core/config.js';
import { DEFAULT_DECODE } from '../../datasets/image.js';
import type { PipelineSpec } from '../../experiments/pipeline.js';
import { pipelineSpecs } from '../../experiments/pipeline-specs.js';
import { DEFAULT_DETECTOR } from '../../models/registry.js';

/** The pipeline the workbench runs a model with: the CLI's defaults (SCRFD-2.5G, central-largest face), flip optional. */
export function workbenchPipelines(models: string[], flip: boolean, cfg: FrwConfig): PipelineSpec[] {
  return pipelineSpecs({ models: models.join(','), detector: DEFAULT_DETECTOR, policy: 'central-largest', flip, maxMegapixels: String(DEFAULT_DECODE.maxMegapixels), workingSize: String(DEFAULT_DECODE.workingMaxSide) }, cfg);
}

/**
 * What a model costs to run, in the units users compare models by: parameters and multiply-adds for one face.
 * One entry point over the card's format; each format counts in its own module and says how in `method`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FrwError, errorMessage } from '../core/errors.js';
import { kerasInputShape, type ModelCard } from './card.js';
import { architectureGraph, type KerasArchitecture } from './keras/architecture.js';
import { graphFromModelConfig } from './keras/graph.js';
import { openKerasH5 } from './keras/h5.js';
import { fromKerasFile } from './keras/load.js';
import { planCost, planGraph } from './keras/plan.js';
import { onnxCost } from './runtime/onnx-cost.js';

export interface ModelCost {
  parameters: number;
  /** multiply-adds for one face (batch 1), null when not counted */
  multiplyAdds: number | null;
  /** how it was counted, one sentence, shown to users */
  method: string;
}

export { onnxCost };

/** Weight dtypes that are learned numbers; int32 entries in a manifest are shape and index helpers. */
const TFJS_WEIGHT_DTYPES = new Set(['float32', 'float16']);

/**
 * Parameters of a TF.js model from its model.json's weights manifest (names, shapes, dtypes; no shard is read).
 * Multiply-adds are not counted: that needs every op's real shapes, and TF.js has no cheap way to hand them out.
 */
export async function tfjsCost(modelJson: string): Promise<ModelCost> {
  let json: { weightsManifest?: Array<{ weights?: Array<{ name?: string; shape?: number[]; dtype?: string }> }> };
  try {
    json = JSON.parse(await readFile(modelJson, 'utf8'));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new FrwError(missing ? 'NOT_FOUND' : 'BAD_INPUT', missing ? `model file not found: ${modelJson}` : `${path.basename(modelJson)} is not a TF.js model.json: ${errorMessage(e)}`, { path: modelJson });
  }
  const weights = (json.weightsManifest ?? []).flatMap((g) => g.weights ?? []);
  if (weights.length === 0) throw new FrwError('BAD_INPUT', `${path.basename(modelJson)} has no weights manifest`, { path: modelJson });
  let parameters = 0;
  let counted = 0;
  for (const w of weights) {
    if (!Array.isArray(w.shape) || w.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new FrwError('BAD_INPUT', `${path.basename(modelJson)}: weight '${w.name}' has no valid shape`, { path: modelJson });
    }
    if (!TFJS_WEIGHT_DTYPES.has(w.dtype ?? 'float32')) continue;
    parameters += w.shape.reduce((a, b) => a * b, 1);
    counted++;
  }
  return {
    parameters,
    multiplyAdds: null,
    method: `TF.js: parameters are the elements of the ${counted} float weights in model.json's manifest (${weights.length - counted} integer helpers left out); multiply-adds are not counted for TF.js models, whose op shapes we do not measure.`,
  };
}

/**
 * Parameters and multiply-adds of a Keras `.h5` model, planned from its graph (the file's own, or the card's
 * architecture) without running it or reading a weight.
 */
export async function kerasCost(file: string, architecture?: KerasArchitecture, inputShape?: number[]): Promise<ModelCost> {
  const cost = fromKerasFile(file, () => {
    const h5 = openKerasH5(file);
    const graph = architecture ? architectureGraph(architecture) : graphFromModelConfig(h5.modelConfig, h5.kerasVersion, file);
    return planCost(planGraph(graph, file, inputShape));
  });
  return {
    parameters: cost.parameters,
    multiplyAdds: cost.multiplyAdds,
    method: `Keras: parameters are every stored weight (${cost.trainable} trainable, the rest batch-norm statistics); multiply-adds of the convolutions and dense layers for one face, from the planned shapes (${(cost.paperFlops / 1e6).toFixed(2)} MFLOPs in the GhostNet papers' convention).`,
  };
}

/** The cost of the model a card describes; `file` is the resolved model file (LoadedModel.file). */
export async function modelCost(card: ModelCard, file: string): Promise<ModelCost> {
  // A plain string: formats are added to cards before every module knows them, and those must fail loudly here.
  const format: string = card.format;
  switch (format) {
    case 'onnx':
      return onnxCost(file);
    case 'tfjs-graph':
    case 'tfjs-layers':
      return tfjsCost(file);
    case 'keras-h5':
      return card.task === 'embedding' ? kerasCost(file, card.architecture, kerasInputShape(card)) : kerasCost(file);
    default:
      throw new FrwError('UNSUPPORTED', `model "${card.id}": counting parameters and multiply-adds is not implemented for format '${format}'`, { format });
  }
}

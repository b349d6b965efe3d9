import { FrwError, errorMessage, isFrwError } from '../../core/errors.js';
import { architectureGraph, type KerasArchitecture } from './architecture.js';
import { graphFromModelConfig, type KerasGraph } from './graph.js';
import { openKerasH5 } from './h5.js';
import { HAS_WEIGHTS } from './layers.js';
import { buildKerasModel, type KerasModel } from './model.js';

export interface KerasLoadOptions {
  /** Build this architecture and take only weights from the file; default: the file's own model_config. */
  architecture?: KerasArchitecture;
  /** Input shape without batch, for files whose input has free dimensions. */
  inputShape?: number[];
}

/**
 * A Keras `.h5` checkpoint as a runnable model: the graph from the file's `model_config` (or from code), the
 * weights assigned by layer name with shape checks. Throws BAD_INPUT for damaged files, UNSUPPORTED for layers
 * it cannot build, MODEL_MISMATCH for weights that do not fit, each naming the layer.
 */
export function loadKerasCheckpoint(file: string, opts: KerasLoadOptions = {}): KerasModel {
  return fromKerasFile(file, () => buildFromFile(file, opts));
}

/** Run `read` over a Keras file, turning any failure that is not already an FrwError into BAD_INPUT naming it. */
export function fromKerasFile<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    // Anything not already explained (a stack overflow on a config nested or ordered to exhaust recursion, a
    // TensorFlow.js refusal) is still the file's fault, not ours: a client error naming the file.
    if (isFrwError(e)) throw e;
    throw new FrwError('BAD_INPUT', `${file}: cannot build a model from it: ${errorMessage(e)}`, { file }, { cause: e });
  }
}

function buildFromFile(file: string, opts: KerasLoadOptions): KerasModel {
  const h5 = openKerasH5(file, { hasWeights: (c) => HAS_WEIGHTS.has(c) });
  let graph: KerasGraph;
  if (opts.architecture) graph = architectureGraph(opts.architecture);
  else if (h5.modelConfig === null) {
    throw new FrwError('UNSUPPORTED', `${file} holds weights only (no model_config); name its architecture in the model card`, { file });
  } else graph = graphFromModelConfig(h5.modelConfig, h5.kerasVersion, file);
  // The file's Keras version decides what hard_sigmoid means, whoever built the graph.
  if (h5.kerasVersion) graph = { ...graph, kerasVersion: h5.kerasVersion };
  return buildKerasModel(graph, { file, layers: h5.weightLayers, read: (l) => h5.layerWeights(l) }, { inputShape: opts.inputShape });
}

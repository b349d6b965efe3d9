import * as tf from '@tensorflow/tfjs';
import { FrwError } from '../../core/errors.js';
import { weightBaseName, type KerasWeight } from './h5.js';
import type { GraphPlan } from './plan.js';

/** Where weights come from: a layer's stored weights, or null when the file has no group for it. */
export interface WeightSource {
  file: string;
  layers: readonly string[];
  read(layer: string): KerasWeight[];
}

const dims = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * Weights for every planned layer, matched by layer name and then by weight base name (kernel, gamma, …), each
 * shape checked against what the layer needs. A layer without its weights, a weight of the wrong shape, or weights
 * the model has no layer for are MODEL_MISMATCH errors naming the layer. Tensors are float32 whatever the file
 * stored (float16 and float64 are converted).
 */
export function assignWeights(plan: GraphPlan, source: WeightSource): Map<string, Record<string, tf.Tensor>> {
  const out = new Map<string, Record<string, tf.Tensor>>();
  const inFile = new Set(source.layers);
  const mismatch = (layer: string, msg: string) =>
    new FrwError('MODEL_MISMATCH', `${source.file}: layer '${layer}': ${msg}`, { layer, file: source.file });
  try {
    for (const { layer, spec } of plan.steps) {
      if (spec.weights.length === 0) continue;
      if (!inFile.has(layer.name)) throw mismatch(layer.name, `the file holds no weights for this ${layer.className} layer`);
      const stored = source.read(layer.name);
      const byName = new Map(stored.map((w) => [weightBaseName(w.name), w]));
      const needed = new Set(spec.weights.map((w) => w.name));
      const extra = [...byName.keys()].filter((n) => !needed.has(n));
      if (extra.length) throw mismatch(layer.name, `the file holds weights ${extra.join(', ')} that a ${layer.className} with this config does not have (it needs ${[...needed].join(', ')})`);
      for (const need of spec.weights) {
        const w = byName.get(need.name);
        if (!w) throw mismatch(layer.name, `weight '${need.name}' ${dims(need.shape)} is missing from the file`);
        if (w.shape.length !== need.shape.length || w.shape.some((d, i) => d !== need.shape[i])) {
          throw mismatch(layer.name, `weight '${need.name}' is ${dims(w.shape)} in the file; this ${layer.className} needs ${dims(need.shape)}`);
        }
      }
      // Tensors only once the whole layer checked out.
      const tensors: Record<string, tf.Tensor> = {};
      out.set(layer.name, tensors); // registered first, so the clean-up below also frees a half-made layer
      for (const need of spec.weights) tensors[need.name] = tf.tensor(byName.get(need.name)!.values, need.shape, 'float32');
    }
    const planned = new Set(plan.steps.map((s) => s.layer.name));
    const orphans = source.layers.filter((l) => !planned.has(l) && l !== plan.graph.inputs[0] && source.read(l).length > 0);
    if (orphans.length) {
      throw new FrwError('MODEL_MISMATCH', `${source.file} holds weights for layers the model does not have: ${orphans.slice(0, 5).join(', ')}${orphans.length > 5 ? ` and ${orphans.length - 5} more` : ''}`, { layers: orphans });
    }
    return out;
  } catch (e) {
    for (const t of out.values()) Object.values(t).forEach((x) => x.dispose());
    throw e;
  }
}

/**
 * A Keras model ready to run: its plan, its weights as TensorFlow.js tensors, and a forward pass that computes
 * the requested layers' outputs, freeing each intermediate as soon as its last consumer has run.
 */
import * as tf from '@tensorflow/tfjs';
import { FrwError } from '../../core/errors.js';
import type { KerasGraph } from './graph.js';
import { planCost, planGraph, type GraphCost, type GraphPlan } from './plan.js';
import { assignWeights, type WeightSource } from './weights.js';

export interface KerasModel {
  plan: GraphPlan;
  cost: GraphCost;
  /** Outputs of the named layers for a batch `x` of shape [n, ...plan.inputShape]; the caller disposes them. */
  predict(x: tf.Tensor, outputs: readonly string[]): tf.Tensor[];
  dispose(): void;
}

/** Plan `graph`, load its weights from `source` and return the runnable model. */
export function buildKerasModel(graph: KerasGraph, source: WeightSource, opts: { inputShape?: number[] } = {}): KerasModel {
  const plan = planGraph(graph, source.file, opts.inputShape);
  const weights = assignWeights(plan, source);
  const inputName = graph.inputs[0];
  // How many layers read each layer's output: the forward pass frees an output when its count reaches zero.
  const readers = new Map<string, number>();
  for (const { layer } of plan.steps) for (const i of layer.inbound) readers.set(i, (readers.get(i) ?? 0) + 1);

  function predict(x: tf.Tensor, outputs: readonly string[]): tf.Tensor[] {
    for (const o of outputs) {
      if (!plan.shapes.has(o)) throw new FrwError('MODEL_MISMATCH', `${source.file} has no layer '${o}'; its outputs are ${graph.outputs.join(', ')}`, { output: o });
    }
    const keep = new Set(outputs);
    return tf.tidy(() => {
      const values = new Map<string, tf.Tensor>([[inputName, x]]);
      const left = new Map(readers);
      for (const { layer, spec } of plan.steps) {
        // Each layer in its own tidy, so what it makes on the way (the convolution before its bias, activation
        // steps) is freed at once rather than when the whole pass ends.
        const y = tf.tidy(() => spec.apply(layer.inbound.map((n) => values.get(n)!), weights.get(layer.name) ?? {}));
        values.set(layer.name, y);
        for (const n of layer.inbound) {
          const count = left.get(n)! - 1;
          left.set(n, count);
          if (count > 0 || keep.has(n)) continue;
          const t = values.get(n)!;
          values.delete(n);
          // Identity layers (Dropout, a linear Activation) hand on their input's tensor: free it only when no
          // other live value is the same tensor, and never the caller's input.
          if (t !== x && ![...values.values()].includes(t)) t.dispose();
        }
      }
      return outputs.map((o) => values.get(o)!);
    });
  }

  return {
    plan,
    cost: planCost(plan),
    predict,
    dispose() {
      for (const t of weights.values()) Object.values(t).forEach((w) => w.dispose());
    },
  };
}

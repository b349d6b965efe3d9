/**
 * A layer graph planned for one input size: every layer's input and output shapes, the weights it needs and its
 * multiply-adds, all known before a weight is read. The cost counter and the weight checks work from the plan.
 */
import { FrwError } from '../../core/errors.js';
import type { KerasGraph, KerasLayer } from './graph.js';
import { layerSpec, type LayerSpec } from './layers.js';

export interface PlannedLayer {
  layer: KerasLayer;
  inputShapes: number[][];
  spec: LayerSpec;
}

export interface GraphPlan {
  graph: KerasGraph;
  /** The input's shape without the batch dimension, e.g. [112, 112, 3]. */
  inputShape: number[];
  /** Every layer but the input, in execution order. */
  steps: PlannedLayer[];
  shapes: Map<string, number[]>;
}

/** The shape an InputLayer declares (Keras 2 `batch_input_shape`, Keras 3 `batch_shape`), batch dimension dropped. */
function declaredInput(layer: KerasLayer, override: number[] | undefined, source: string): number[] {
  const raw = layer.config.batch_input_shape ?? layer.config.batch_shape;
  if (!Array.isArray(raw) || raw.length < 2) throw new FrwError('UNSUPPORTED', `${source}: input '${layer.name}' declares no shape`, { layer: layer.name });
  const dims = raw.slice(1).map((d, i) => (typeof d === 'number' && d > 0 ? d : (override?.[i] ?? null)));
  if (dims.some((d) => d === null)) {
    throw new FrwError('UNSUPPORTED', `${source}: input '${layer.name}' has free dimensions ${JSON.stringify(raw)}; give the input size in the model card`, { layer: layer.name });
  }
  if (override && override.some((d, i) => d !== dims[i])) {
    throw new FrwError('MODEL_MISMATCH', `${source}: input '${layer.name}' is [${dims.join(', ')}], the card says [${override.join(', ')}]`, { layer: layer.name });
  }
  return dims as number[];
}

/**
 * Plan a graph: propagate shapes from the input through every layer. `inputShape` (batch excluded) fills the
 * input's free dimensions and must agree with its fixed ones. Throws UNSUPPORTED naming the first layer that
 * cannot be built.
 */
export function planGraph(graph: KerasGraph, source: string, inputShape?: number[]): GraphPlan {
  const input = graph.layers.find((l) => l.name === graph.inputs[0])!;
  const shapes = new Map<string, number[]>([[input.name, declaredInput(input, inputShape, source)]]);
  const steps: PlannedLayer[] = [];
  for (const layer of graph.layers) {
    if (layer === input) continue;
    if (layer.className === 'InputLayer') throw new FrwError('UNSUPPORTED', `${source}: a second input '${layer.name}'; one image input is supported`, { layer: layer.name });
    const inputShapes = layer.inbound.map((n) => shapes.get(n)!);
    const spec = layerSpec(layer, inputShapes, graph.kerasVersion);
    shapes.set(layer.name, spec.outputShape);
    steps.push({ layer, inputShapes, spec });
  }
  return { graph, inputShape: shapes.get(input.name)!, steps, shapes };
}

export interface GraphCost {
  /** Every stored weight, batch-norm moving statistics included: what the file holds. */
  parameters: number;
  /** Of which trainable (all but batch-norm moving means and variances). */
  trainable: number;
  /** Multiply-adds of convolutions and dense layers for one sample. */
  multiplyAdds: number;
  /**
   * FLOPs as the GhostNet and GhostFaceNets papers count them: the multiply-adds plus one per output element of
   * PReLU, Multiply, Activation and pooling layers (see LayerSpec.elementOps).
   */
  paperFlops: number;
}

export function planCost(plan: GraphPlan): GraphCost {
  let parameters = 0;
  let trainable = 0;
  let multiplyAdds = 0;
  let elementOps = 0;
  for (const { spec } of plan.steps) {
    for (const w of spec.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      parameters += n;
      if (w.name !== 'moving_mean' && w.name !== 'moving_variance') trainable += n;
    }
    multiplyAdds += spec.multiplyAdds;
    elementOps += spec.elementOps ?? 0;
  }
  return { parameters, trainable, multiplyAdds, paperFlops: multiplyAdds + elementOps };
}

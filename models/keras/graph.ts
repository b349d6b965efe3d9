/**
 * A Keras model as a layer graph: what a `model_config` describes (Functional or Sequential, Keras 2 or 3) and what
 * models/ghostfacenet.ts builds in code, in one shape, so one executor, one weight assignment and one cost counter
 * serve both. Only single-input-node layers with one output are taken (no shared layers, no nested models): every
 * other form is refused with the layer's name.
 */
import { FrwError } from '../../core/errors.js';

export interface KerasLayer {
  name: string;
  /** Keras class name, e.g. `Conv2D`. */
  className: string;
  /** The layer's config as Keras wrote it (validated per class in layers.ts). */
  config: Record<string, unknown>;
  /** Names of the layers whose outputs feed this one, in call order. */
  inbound: string[];
}

export interface KerasGraph {
  name: string;
  /** Topological order: every layer after its inbound layers. */
  layers: KerasLayer[];
  inputs: string[];
  outputs: string[];
  /** `keras_version` of the file ('' when unknown): hard_sigmoid changed meaning in Keras 3. */
  kerasVersion: string;
}

const bad = (source: string, msg: string, details: Record<string, unknown> = {}) =>
  new FrwError('UNSUPPORTED', `${source}: ${msg}`, details);

const obj = (v: unknown): Record<string, unknown> | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/**
 * The layers feeding a call, in order. Keras 2 writes `[[[name, node, tensor, kwargs], …]]`; Keras 3 writes
 * `[{args: [...], kwargs: {...}}]` with `{class_name: '__keras_tensor__', config: {keras_history: [name, node, tensor]}}`
 * wherever a tensor is passed.
 */
function inboundOf(layer: string, nodes: unknown, source: string): string[] {
  if (!Array.isArray(nodes) || nodes.length === 0) return [];
  if (nodes.length > 1) throw bad(source, `layer '${layer}' is called ${nodes.length} times (a shared layer); only layers called once are supported`, { layer });
  const history: Array<[unknown, unknown, unknown]> = [];
  const node = nodes[0];
  if (Array.isArray(node)) {
    for (const t of node) if (Array.isArray(t)) history.push([t[0], t[1], t[2]]);
  } else {
    const walk = (v: unknown): void => {
      const o = obj(v);
      const h = o && o.class_name === '__keras_tensor__' ? obj(o.config)?.keras_history : undefined;
      if (Array.isArray(h)) history.push([h[0], h[1], h[2]]);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (o) Object.values(o).forEach(walk);
    };
    walk(obj(node)?.args);
  }
  return history.map(([name, nodeIndex, tensorIndex]) => {
    if (typeof name !== 'string') throw bad(source, `layer '${layer}' has an inbound tensor without a layer name`, { layer });
    if (nodeIndex !== 0 || tensorIndex !== 0) {
      throw bad(source, `layer '${layer}' takes output ${String(tensorIndex)} of call ${String(nodeIndex)} of '${name}'; only first outputs of layers called once are supported`, { layer });
    }
    return name;
  });
}

const endpoints = (v: unknown): string[] => {
  // [[name, 0, 0], …], or a single [name, 0, 0] when the model has one input or output (Keras 3).
  if (!Array.isArray(v)) return [];
  if (typeof v[0] === 'string') return [v[0]];
  return v.map((e) => (Array.isArray(e) && typeof e[0] === 'string' ? e[0] : '')).filter(Boolean);
};

/** The layer graph a Keras `model_config` describes. Throws UNSUPPORTED naming the layer for forms not taken. */
export function graphFromModelConfig(modelConfig: unknown, kerasVersion: string, source: string): KerasGraph {
  const top = obj(modelConfig);
  const cfg = obj(top?.config);
  if (!top || !cfg || !Array.isArray(cfg.layers)) throw bad(source, 'model_config has no layer list');
  const className = top.class_name;
  if (className !== 'Functional' && className !== 'Model' && className !== 'Sequential') {
    throw bad(source, `model_config describes a ${JSON.stringify(className)}; Functional and Sequential models are supported`);
  }
  const layers: KerasLayer[] = [];
  for (const raw of cfg.layers as unknown[]) {
    const l = obj(raw);
    const lc = obj(l?.config);
    const name = typeof l?.name === 'string' ? l.name : typeof lc?.name === 'string' ? lc.name : null;
    if (!l || !lc || !name || typeof l.class_name !== 'string') throw bad(source, `model_config holds a layer entry without a class, name or config (#${layers.length})`);
    if (l.class_name === 'Functional' || l.class_name === 'Sequential' || l.class_name === 'Model') {
      throw bad(source, `layer '${name}' is a nested model; flatten it before saving`, { layer: name });
    }
    const inbound = className === 'Sequential' ? (layers.length ? [layers[layers.length - 1].name] : []) : inboundOf(name, l.inbound_nodes, source);
    layers.push({ name, className: l.class_name, config: lc, inbound });
  }
  if (className === 'Sequential') {
    // A Sequential config may omit its InputLayer and carry the input shape on its first layer instead.
    const first = layers[0];
    if (first && first.className !== 'InputLayer') {
      const shape = first.config.batch_input_shape ?? first.config.batch_shape ?? cfg.build_input_shape;
      layers.unshift({ name: `${first.name}_input`, className: 'InputLayer', config: { batch_input_shape: shape }, inbound: [] });
      first.inbound = [layers[0].name];
    }
  }
  const inputs = className === 'Sequential' ? [layers[0]?.name ?? ''] : endpoints(cfg.input_layers);
  const outputs = className === 'Sequential' ? [layers[layers.length - 1]?.name ?? ''] : endpoints(cfg.output_layers);
  return checkGraph({ name: typeof cfg.name === 'string' ? cfg.name : 'model', layers, inputs, outputs, kerasVersion }, source);
}

/**
 * Check that names are unique, every inbound layer exists, inputs are InputLayers and outputs exist; return the
 * graph with its layers in topological order.
 */
export function checkGraph(graph: KerasGraph, source: string): KerasGraph {
  const byName = new Map<string, KerasLayer>();
  for (const l of graph.layers) {
    if (byName.has(l.name)) throw bad(source, `two layers are named '${l.name}'`, { layer: l.name });
    byName.set(l.name, l);
  }
  for (const l of graph.layers) {
    for (const i of l.inbound) if (!byName.has(i)) throw bad(source, `layer '${l.name}' takes the output of '${i}', which is not in the model`, { layer: l.name });
  }
  if (graph.inputs.length !== 1) throw bad(source, `the model has ${graph.inputs.length} inputs; embedders with one image input are supported`);
  for (const i of graph.inputs) if (byName.get(i)?.className !== 'InputLayer') throw bad(source, `input '${i}' is not an InputLayer of the model`);
  if (graph.outputs.length === 0 || graph.outputs.some((o) => !byName.has(o))) throw bad(source, `the model's outputs ${JSON.stringify(graph.outputs)} are not all layers of it`);
  const order: KerasLayer[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (l: KerasLayer): void => {
    const s = state.get(l.name);
    if (s === 'done') return;
    if (s === 'visiting') throw bad(source, `layer '${l.name}' is part of a cycle`, { layer: l.name });
    state.set(l.name, 'visiting');
    for (const i of l.inbound) visit(byName.get(i)!);
    state.set(l.name, 'done');
    order.push(l);
  };
  graph.layers.forEach(visit);
  return { ...graph, layers: order };
}

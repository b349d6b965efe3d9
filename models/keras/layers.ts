/**
 * The Keras layers we build, one entry per class: output shape, the weights it needs (Keras names and shapes),
 * multiply-adds, and the TensorFlow.js computation. Shapes here exclude the batch dimension. Dtype policies
 * (`mixed_float16` included) are read as float32: the weights are stored as float32 and float32 is what the
 * wasm and CPU kernels compute in.
 */
import * as tf from '@tensorflow/tfjs';
import { activationFn } from './activations.js';
import { LayerConfig } from './config.js';
import type { KerasLayer } from './graph.js';

export interface WeightNeed {
  /** Keras base name: kernel, bias, gamma, … */
  name: string;
  shape: number[];
}

export interface LayerSpec {
  outputShape: number[];
  /** In the order Keras saves them. */
  weights: WeightNeed[];
  /** Multiply-adds of convolutions and dense layers for one sample. */
  multiplyAdds: number;
  /**
   * Per-element operations the papers' FLOP counts add to the multiply-adds: one per output element of PReLU,
   * Multiply, Activation and global pooling layers (batch norm is taken as folded into its convolution, additions
   * are not counted). With this convention GhostFaceNetV1 gives the published 215.65 and 60.29 MFLOPs.
   */
  elementOps?: number;
  apply(inputs: tf.Tensor[], weights: Record<string, tf.Tensor>): tf.Tensor;
}

type LayerKind = (cfg: LayerConfig, inputs: number[][], kerasVersion: string) => LayerSpec;

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function one(cfg: LayerConfig, inputs: number[][], rank?: number): number[] {
  if (inputs.length !== 1) throw cfg.fail(`takes one input, got ${inputs.length}`);
  if (rank !== undefined && inputs[0].length !== rank) throw cfg.fail(`needs an input of rank ${rank + 1} (batch included), got [batch, ${inputs[0].join(', ')}]`);
  return inputs[0];
}

/** Output length along one axis, as TensorFlow pads: `same` → ceil(n/s), `valid` → floor((n − dilated k)/s) + 1. */
function convLength(cfg: LayerConfig, n: number, k: number, s: number, d: number, padding: 'same' | 'valid'): number {
  const out = padding === 'same' ? Math.ceil(n / s) : Math.floor((n - (k - 1) * d - 1) / s) + 1;
  if (out < 1) throw cfg.fail(`a ${k}×${k} kernel does not fit an input of ${n} with padding ${padding}`);
  return out;
}

interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilation: [number, number];
  padding: 'same' | 'valid';
  out: [number, number];
}

function window(cfg: LayerConfig, [h, w]: number[]): Window {
  cfg.channelsLast();
  const kernel = cfg.pair('kernel_size');
  const strides = cfg.pair('strides', 1);
  const dilation = cfg.pair('dilation_rate', 1);
  const padding = cfg.oneOf('padding', ['same', 'valid'] as const, 'valid');
  if ((strides[0] > 1 || strides[1] > 1) && (dilation[0] > 1 || dilation[1] > 1)) throw cfg.fail('strides and dilation_rate both above 1 are not supported');
  return { kernel, strides, dilation, padding, out: [convLength(cfg, h, kernel[0], strides[0], dilation[0], padding), convLength(cfg, w, kernel[1], strides[1], dilation[1], padding)] };
}

const withBias = (cfg: LayerConfig, y: tf.Tensor, w: Record<string, tf.Tensor>, kerasVersion: string): tf.Tensor => {
  const act = activationFn(cfg.activation(), kerasVersion, cfg);
  return act(w.bias ? tf.add(y, w.bias) : y);
};

const conv2d: LayerKind = (cfg, inputs, kv) => {
  const [h, w, cin] = one(cfg, inputs, 3);
  const win = window(cfg, [h, w]);
  const filters = cfg.int('filters');
  const groups = cfg.int('groups', 1);
  if (cin % groups !== 0 || filters % groups !== 0) throw cfg.fail(`groups ${groups} must divide the ${cin} input channels and the ${filters} filters`);
  const useBias = cfg.bool('use_bias', true);
  activationFn(cfg.activation(), kv, cfg);
  return {
    outputShape: [...win.out, filters],
    weights: [{ name: 'kernel', shape: [...win.kernel, cin / groups, filters] }, ...(useBias ? [{ name: 'bias', shape: [filters] }] : [])],
    multiplyAdds: win.out[0] * win.out[1] * filters * win.kernel[0] * win.kernel[1] * (cin / groups),
    apply([x], wt) {
      const run = (xi: tf.Tensor, k: tf.Tensor) => tf.conv2d(xi as tf.Tensor4D, k as tf.Tensor4D, win.strides, win.padding, 'NHWC', win.dilation);
      // TensorFlow.js has no grouped convolution: split channels and filters into the groups, convolve each, join.
      const y = groups === 1 ? run(x, wt.kernel) : tf.concat(tf.split(x, groups, 3).map((xi, g) => run(xi, tf.split(wt.kernel, groups, 3)[g])), 3);
      return withBias(cfg, y, wt, kv);
    },
  };
};

const depthwise: LayerKind = (cfg, inputs, kv) => {
  const [h, w, cin] = one(cfg, inputs, 3);
  const win = window(cfg, [h, w]);
  // Keras 2.x writes `groups` into DepthwiseConv2D configs (inherited from Conv2D, never used): it is ignored, as
  // Keras 2 ignored it; Keras 3 refuses the field, which is why such files need editing to load there.
  const mult = cfg.int('depth_multiplier', 1);
  const useBias = cfg.bool('use_bias', true);
  activationFn(cfg.activation(), kv, cfg);
  return {
    outputShape: [...win.out, cin * mult],
    weights: [{ name: 'depthwise_kernel', shape: [...win.kernel, cin, mult] }, ...(useBias ? [{ name: 'bias', shape: [cin * mult] }] : [])],
    multiplyAdds: win.out[0] * win.out[1] * cin * mult * win.kernel[0] * win.kernel[1],
    apply: ([x], wt) => withBias(cfg, tf.depthwiseConv2d(x as tf.Tensor4D, wt.depthwise_kernel as tf.Tensor4D, win.strides, win.padding, 'NHWC', win.dilation), wt, kv),
  };
};

const batchNorm: LayerKind = (cfg, inputs) => {
  const shape = one(cfg, inputs);
  const axis = cfg.ints('axis', [-1]);
  const last = shape.length; // axes count the batch dimension
  if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== last)) throw cfg.fail(`axis ${JSON.stringify(axis)}: only the last (channel) axis is supported`);
  const c = shape[shape.length - 1];
  const eps = cfg.num('epsilon', 1e-3);
  const center = cfg.bool('center', true);
  const scale = cfg.bool('scale', true);
  return {
    outputShape: shape,
    weights: [
      ...(scale ? [{ name: 'gamma', shape: [c] }] : []),
      ...(center ? [{ name: 'beta', shape: [c] }] : []),
      { name: 'moving_mean', shape: [c] },
      { name: 'moving_variance', shape: [c] },
    ],
    multiplyAdds: 0,
    apply: ([x], wt) => tf.batchNorm(x, wt.moving_mean, wt.moving_variance, wt.beta, wt.gamma, eps),
  };
};

const prelu: LayerKind = (cfg, inputs) => {
  const shape = one(cfg, inputs);
  const shared = cfg.ints('shared_axes', []);
  if (shared.some((a) => a < 1 || a > shape.length)) throw cfg.fail(`shared_axes ${JSON.stringify(shared)} must name axes 1…${shape.length}`);
  const alpha = shape.map((d, i) => (shared.includes(i + 1) ? 1 : d));
  return { outputShape: shape, weights: [{ name: 'alpha', shape: alpha }], multiplyAdds: 0, elementOps: prod(shape), apply: ([x], wt) => tf.prelu(x, wt.alpha) };
};

const activation: LayerKind = (cfg, inputs, kv) => {
  const shape = one(cfg, inputs);
  const fn = activationFn(cfg.activation(), kv, cfg);
  return { outputShape: shape, weights: [], multiplyAdds: 0, elementOps: prod(shape), apply: ([x]) => fn(x) };
};

const dense: LayerKind = (cfg, inputs, kv) => {
  const shape = one(cfg, inputs);
  const units = cfg.int('units');
  const useBias = cfg.bool('use_bias', true);
  activationFn(cfg.activation(), kv, cfg);
  const din = shape[shape.length - 1];
  return {
    outputShape: [...shape.slice(0, -1), units],
    weights: [{ name: 'kernel', shape: [din, units] }, ...(useBias ? [{ name: 'bias', shape: [units] }] : [])],
    multiplyAdds: (prod(shape) / din) * din * units,
    apply([x], wt) {
      // Dense acts on the last axis whatever the rank: fold the others into rows.
      const y = tf.matMul(tf.reshape(x, [-1, din]), wt.kernel as tf.Tensor2D);
      return withBias(cfg, tf.reshape(y, [-1, ...shape.slice(0, -1), units]), wt, kv);
    },
  };
};

const identity: LayerKind = (cfg, inputs) => ({ outputShape: one(cfg, inputs), weights: [], multiplyAdds: 0, apply: ([x]) => x });

const gap: LayerKind = (cfg, inputs) => {
  const [, , c] = one(cfg, inputs, 3);
  cfg.channelsLast();
  const keep = cfg.bool('keepdims', false);
  return { outputShape: keep ? [1, 1, c] : [c], weights: [], multiplyAdds: 0, elementOps: c, apply: ([x]) => tf.mean(x, [1, 2], keep) };
};

const reshape: LayerKind = (cfg, inputs) => {
  const shape = one(cfg, inputs);
  const target = cfg.ints('target_shape');
  const free = target.filter((d) => d === -1).length;
  const known = prod(target.filter((d) => d !== -1));
  const out = target.map((d) => (d === -1 ? prod(shape) / known : d));
  if (free > 1 || out.some((d) => !Number.isInteger(d) || d < 1) || prod(out) !== prod(shape)) {
    throw cfg.fail(`target_shape ${JSON.stringify(target)} does not hold an input of shape [${shape.join(', ')}]`);
  }
  return { outputShape: out, weights: [], multiplyAdds: 0, apply: ([x]) => tf.reshape(x, [-1, ...out]) };
};

const flatten: LayerKind = (cfg, inputs) => {
  const shape = one(cfg, inputs);
  cfg.channelsLast();
  return { outputShape: [prod(shape)], weights: [], multiplyAdds: 0, apply: ([x]) => tf.reshape(x, [-1, prod(shape)]) };
};

function broadcast(cfg: LayerConfig, shapes: number[][]): number[] {
  if (shapes.length < 2) throw cfg.fail(`needs at least two inputs, got ${shapes.length}`);
  const rank = shapes[0].length;
  if (shapes.some((s) => s.length !== rank)) throw cfg.fail(`inputs of different ranks: ${shapes.map((s) => `[${s.join(', ')}]`).join(', ')}`);
  return shapes[0].map((_, i) => {
    const dims = new Set(shapes.map((s) => s[i]).filter((d) => d !== 1));
    if (dims.size > 1) throw cfg.fail(`inputs do not broadcast: ${shapes.map((s) => `[${s.join(', ')}]`).join(', ')}`);
    return dims.size ? [...dims][0] : 1;
  });
}

const merge = (op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, counted: boolean): LayerKind => (cfg, inputs) => {
  const outputShape = broadcast(cfg, inputs);
  return { outputShape, weights: [], multiplyAdds: 0, elementOps: counted ? prod(outputShape) : 0, apply: (xs) => xs.slice(1).reduce(op, xs[0]) };
};

const concatenate: LayerKind = (cfg, inputs) => {
  if (inputs.length < 2) throw cfg.fail(`needs at least two inputs, got ${inputs.length}`);
  const rank = inputs[0].length;
  const [axisFull] = cfg.ints('axis', [-1]);
  const axis = axisFull < 0 ? rank + axisFull : axisFull - 1; // without the batch axis
  if (axis < 0 || axis >= rank) throw cfg.fail(`axis ${axisFull} is not a data axis of inputs of rank ${rank + 1}`);
  if (inputs.some((s) => s.length !== rank || s.some((d, i) => i !== axis && d !== inputs[0][i]))) {
    throw cfg.fail(`inputs ${inputs.map((s) => `[${s.join(', ')}]`).join(', ')} differ outside axis ${axisFull}`);
  }
  const out = [...inputs[0]];
  out[axis] = inputs.reduce((a, s) => a + s[axis], 0);
  return { outputShape: out, weights: [], multiplyAdds: 0, apply: (xs) => tf.concat(xs, axis + 1) };
};

const zeroPadding: LayerKind = (cfg, inputs) => {
  const [h, w, c] = one(cfg, inputs, 3);
  cfg.channelsLast();
  const p = cfg.layer.config.padding ?? 1;
  const pairs: unknown = typeof p === 'number' ? [[p, p], [p, p]] : Array.isArray(p) && typeof p[0] === 'number' ? [[p[0], p[0]], [p[1], p[1]]] : p;
  const ok = Array.isArray(pairs) && pairs.length === 2 && pairs.every((q) => Array.isArray(q) && q.length === 2 && q.every((x) => Number.isInteger(x) && x >= 0));
  if (!ok) throw cfg.fail(`padding ${JSON.stringify(p)} must be an integer, two, or two pairs`);
  const [[t, b], [l, r]] = pairs as number[][];
  return {
    outputShape: [h + t + b, w + l + r, c],
    weights: [],
    multiplyAdds: 0,
    apply: ([x]) => tf.pad(x, [[0, 0], [t, b], [l, r], [0, 0]]),
  };
};

/** Every class the loader builds; anything else is refused naming the layer and this list. */
export const LAYER_KINDS: Record<string, LayerKind> = {
  Conv2D: conv2d,
  DepthwiseConv2D: depthwise,
  BatchNormalization: batchNorm,
  PReLU: prelu,
  Activation: activation,
  Dense: dense,
  Dropout: identity,
  GlobalAveragePooling2D: gap,
  Reshape: reshape,
  Flatten: flatten,
  Add: merge(tf.add, false),
  Multiply: merge(tf.mul, true),
  Concatenate: concatenate,
  ZeroPadding2D: zeroPadding,
};

/** Whether a class can hold weights (a truncated file's message names the first such layer it cannot read). */
export const HAS_WEIGHTS = new Set(['Conv2D', 'DepthwiseConv2D', 'BatchNormalization', 'PReLU', 'Dense']);

/** A layer's spec from the shapes of its inputs. */
export function layerSpec(layer: KerasLayer, inputs: number[][], kerasVersion: string): LayerSpec {
  const cfg = new LayerConfig(layer);
  // Own keys only: a class named "constructor" or "__proto__" must be refused, not found on Object.prototype.
  const kind = Object.hasOwn(LAYER_KINDS, layer.className) ? LAYER_KINDS[layer.className] : undefined;
  if (!kind) throw cfg.fail(`the layer class is not supported (supported: InputLayer, ${Object.keys(LAYER_KINDS).join(', ')})`);
  return kind(cfg, inputs, kerasVersion);
}

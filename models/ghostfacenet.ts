/**
 * GhostFaceNetV1 (Alansari et al., IEEE Access 2023) in code: the GhostNet backbone (Han et al., CVPR 2020) with
 * PReLU everywhere and the modified GDC head, as a Keras layer graph. Layer names follow Keras's automatic naming
 * in the order the official Keras code creates them (conv2d, conv2d_1, …; PReLUs take `activation_N` names because
 * they replaced ReLU Activation layers), so the weights of the official `.h5` files load into it by name.
 *
 * Building blocks:
 * - Ghost module: a 1×1 primary convolution makes ⌈out/2⌉ channels, a cheap 3×3 depthwise convolution of those
 *   makes the rest, and the two are concatenated (each followed by batch norm and, in expansion modules, PReLU).
 * - Ghost bottleneck: expansion Ghost module → (stride 2: depthwise conv + BN) → (SE) → projection Ghost module,
 *   added to a shortcut: the input itself, or depthwise conv + BN + 1×1 conv + BN when shape or stride changes.
 * - Squeeze-and-excitation with convolutions: GAP → reshape 1×1×C → 1×1 conv (bias) → PReLU → 1×1 conv (bias) →
 *   hard_sigmoid → multiply.
 * - Head: 1×1 conv → BN → PReLU → GDC (depthwise conv over the whole map, no bias) → BN → 1×1 conv to the
 *   embedding (no bias) → flatten → BN `pre_embedding` → linear `embedding`.
 */
import { FrwError } from '../core/errors.js';
import { checkGraph, type KerasGraph, type KerasLayer } from './keras/graph.js';

export interface GhostFaceNetOptions {
  /** Channel width multiplier (0.5, 1, 1.3 in the paper). */
  width: number;
  /** Stride of the stem convolution: 2 (GhostFaceNetV1-1, 4×4 final map) or 1 (V1-2, 7×7). */
  stride: 1 | 2;
  /** Embedding size; 512 in the paper. */
  embedding?: number;
  /** Input side; 112 for aligned ArcFace crops. */
  inputSize?: number;
}

/** GhostNet's `_make_divisible`: round to a multiple of `divisor`, never more than 10% below `v`. */
export function makeDivisible(v: number, divisor = 4): number {
  const rounded = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  return rounded < 0.9 * v ? rounded + divisor : rounded;
}

/** GhostNet's stage table (kernel, expansion, output, SE, stride); GhostFaceNets end on 512 expansion channels. */
const BOTTLENECKS: ReadonlyArray<readonly [number, number, number, 0 | 1, 1 | 2]> = [
  [3, 16, 16, 0, 1], [3, 48, 24, 0, 2], [3, 72, 24, 0, 1], [5, 72, 40, 1, 2], [5, 120, 40, 1, 1],
  [3, 240, 80, 0, 2], [3, 200, 80, 0, 1], [3, 184, 80, 0, 1], [3, 184, 80, 0, 1], [3, 480, 112, 1, 1],
  [3, 672, 112, 1, 1], [5, 672, 160, 1, 2], [5, 960, 160, 0, 1], [5, 960, 160, 1, 1], [5, 960, 160, 0, 1],
  [5, 512, 160, 1, 1],
];

/** Builds layers with Keras's per-class automatic names; PReLU and Activation share the `activation` counter. */
class Builder {
  readonly layers: KerasLayer[] = [];
  private counters = new Map<string, number>();

  private autoName(prefix: string): string {
    const n = this.counters.get(prefix) ?? 0;
    this.counters.set(prefix, n + 1);
    return n === 0 ? prefix : `${prefix}_${n}`;
  }

  add(className: string, prefix: string | { name: string }, config: Record<string, unknown>, inbound: string[]): string {
    const name = typeof prefix === 'string' ? this.autoName(prefix) : prefix.name;
    this.layers.push({ name, className, config: { name, ...config }, inbound });
    return name;
  }

  conv(x: string, filters: number, kernel: number, o: { strides?: number; padding?: 'same' | 'valid'; bias?: boolean; name?: string } = {}): string {
    return this.add('Conv2D', o.name ? { name: o.name } : 'conv2d', {
      filters, kernel_size: [kernel, kernel], strides: [o.strides ?? 1, o.strides ?? 1], padding: o.padding ?? 'same',
      data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation: 'linear', use_bias: o.bias ?? false,
    }, [x]);
  }

  depthwise(x: string, kernel: number, o: { strides?: number; padding?: 'same' | 'valid'; name?: string } = {}): string {
    return this.add('DepthwiseConv2D', o.name ? { name: o.name } : 'depthwise_conv2d', {
      kernel_size: [kernel, kernel], strides: [o.strides ?? 1, o.strides ?? 1], padding: o.padding ?? 'same',
      data_format: 'channels_last', dilation_rate: [1, 1], depth_multiplier: 1, activation: 'linear', use_bias: false,
    }, [x]);
  }

  bn(x: string, name?: string, axis = 3): string {
    return this.add('BatchNormalization', name ? { name } : 'batch_normalization', { axis: [axis], epsilon: 1e-5, center: true, scale: true }, [x]);
  }

  prelu(x: string): string {
    return this.add('PReLU', 'activation', { shared_axes: [1, 2] }, [x]);
  }

  ghostModule(x: string, out: number, act: boolean): string {
    const primary = Math.ceil(out / 2);
    let a = this.bn(this.conv(x, primary, 1));
    if (act) a = this.prelu(a);
    let b = this.bn(this.depthwise(a, 3));
    if (act) b = this.prelu(b);
    if (out !== 2 * primary) throw new FrwError('UNSUPPORTED', `a Ghost module of ${out} channels (odd) is not built`);
    return this.add('Concatenate', 'concatenate', { axis: -1 }, [a, b]);
  }

  se(x: string, channels: number): string {
    const reduce = makeDivisible(channels / 4);
    let s = this.add('GlobalAveragePooling2D', 'global_average_pooling2d', { data_format: 'channels_last', keepdims: false }, [x]);
    s = this.add('Reshape', 'reshape', { target_shape: [1, 1, channels] }, [s]);
    s = this.prelu(this.conv(s, reduce, 1, { padding: 'valid', bias: true }));
    s = this.conv(s, channels, 1, { padding: 'valid', bias: true });
    s = this.add('Activation', 'activation', { activation: 'hard_sigmoid' }, [s]);
    return this.add('Multiply', 'multiply', {}, [x, s]);
  }
}

/** The GhostFaceNetV1 layer graph for a width and stride, as a Keras 2 functional model would describe it. */
export function ghostFaceNetV1(opts: GhostFaceNetOptions): KerasGraph {
  const { width, stride } = opts;
  if (!(width > 0 && width <= 4)) throw new FrwError('BAD_INPUT', `GhostFaceNet width must be in (0, 4], got ${width}`);
  if (stride !== 1 && stride !== 2) throw new FrwError('BAD_INPUT', `GhostFaceNet stride must be 1 or 2, got ${String(stride)}`);
  const size = opts.inputSize ?? 112;
  const b = new Builder();
  const input = b.add('InputLayer', 'input', { batch_input_shape: [null, size, size, 3], dtype: 'float32' }, []);
  let x = b.prelu(b.bn(b.conv(input, makeDivisible(16 * width), 3, { strides: stride })));
  let channels = makeDivisible(16 * width);
  for (const [kernel, expRaw, outRaw, useSe, s] of BOTTLENECKS) {
    const exp = makeDivisible(expRaw * width);
    const out = makeDivisible(outRaw * width);
    let y = b.ghostModule(x, exp, true);
    if (s > 1) y = b.bn(b.depthwise(y, kernel, { strides: s }));
    if (useSe) y = b.se(y, exp);
    y = b.ghostModule(y, out, false);
    const shortcut = out === channels && s === 1 ? x : b.bn(b.conv(b.bn(b.depthwise(x, kernel, { strides: s })), out, 1, { padding: 'valid' }));
    x = b.add('Add', 'add', {}, [shortcut, y]);
    channels = out;
  }
  x = b.prelu(b.bn(b.conv(x, makeDivisible(BOTTLENECKS[BOTTLENECKS.length - 1][1] * width), 1, { padding: 'valid' })));
  const final = Math.ceil(size / (stride * 16)); // four stride-2 stages after the stem
  x = b.bn(b.depthwise(x, final, { padding: 'valid', name: 'GDC_dw' }), 'GDC_batchnorm');
  x = b.conv(x, opts.embedding ?? 512, 1, { padding: 'valid', name: 'GDC_conv' });
  x = b.add('Flatten', { name: 'GDC_flatten' }, { data_format: 'channels_last' }, [x]);
  x = b.bn(x, 'pre_embedding', 1);
  x = b.add('Activation', { name: 'embedding' }, { activation: 'linear' }, [x]);
  return checkGraph({ name: `GhostFaceNetV1_w${width}_s${stride}`, layers: b.layers, inputs: [input], outputs: [x], kerasVersion: '2.10.0' }, 'GhostFaceNetV1');
}

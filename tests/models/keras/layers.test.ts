import { beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { isFrwError } from '../../../core/errors.js';
import { graphFromModelConfig } from '../../../models/keras/graph.js';
import type { KerasWeight } from '../../../models/keras/h5.js';
import { layerSpec } from '../../../models/keras/layers.js';
import { buildKerasModel } from '../../../models/keras/model.js';
import { initTfjs } from '../../../models/runtime/tfjs.js';

const layer = (className: string, config: Record<string, unknown>) => ({ name: 'l', className, config, inbound: ['in'] });
const run = (className: string, config: Record<string, unknown>, x: tf.Tensor, weights: Record<string, tf.Tensor> = {}, kerasVersion = '2.10.0') =>
  tf.tidy(() => Array.from(layerSpec(layer(className, config), [x.shape.slice(1)], kerasVersion).apply([x], weights).dataSync()));

/** A functional model_config as Keras 2 writes it, from (name, class, config, inbound) rows. */
function keras2Config(rows: Array<[string, string, Record<string, unknown>, string[]]>, output: string) {
  return {
    class_name: 'Functional',
    config: {
      name: 'm',
      layers: rows.map(([name, class_name, config, inbound]) => ({ name, class_name, config: { name, ...config }, inbound_nodes: inbound.length ? [inbound.map((i) => [i, 0, 0, {}])] : [] })),
      input_layers: [[rows[0][0], 0, 0]],
      output_layers: [[output, 0, 0]],
    },
  };
}

describe('Keras layers on TensorFlow.js', () => {
  beforeAll(async () => void (await initTfjs()));

  it('hard_sigmoid computes what the saving Keras version meant', () => {
    const x = tf.tensor([[-3, -1, 0, 1, 2.5, 3]]);
    // Keras 2: clip(0.2x + 0.5, 0, 1); Keras 3: clip(x/6 + 0.5, 0, 1) (keras.io activations docs of each version).
    const k2 = run('Activation', { activation: 'hard_sigmoid' }, x, {}, '2.10.0');
    const k3 = run('Activation', { activation: 'hard_sigmoid' }, x, {}, '3.3.3');
    [0, 0.3, 0.5, 0.7, 1, 1].forEach((v, i) => assert.ok(Math.abs(k2[i] - v) < 1e-6, `keras 2 at ${i}: ${k2[i]}`));
    [0, 1 / 3, 0.5, 2 / 3, 2.5 / 6 + 0.5, 1].forEach((v, i) => assert.ok(Math.abs(k3[i] - v) < 1e-6, `keras 3 at ${i}: ${k3[i]}`));
  });

  it('a grouped convolution equals its groups convolved apart', () => {
    const x = tf.randomNormal([1, 5, 5, 4], 0, 1, 'float32', 7);
    const k = tf.randomNormal([3, 3, 2, 6], 0, 1, 'float32', 8);
    const grouped = run('Conv2D', { filters: 6, kernel_size: 3, groups: 2, padding: 'same', use_bias: false }, x, { kernel: k });
    const [x0, x1] = tf.split(x, 2, 3);
    const [k0, k1] = tf.split(k, 2, 3);
    const apart = Array.from(tf.concat([tf.conv2d(x0 as tf.Tensor4D, k0 as tf.Tensor4D, 1, 'same'), tf.conv2d(x1 as tf.Tensor4D, k1 as tf.Tensor4D, 1, 'same')], 3).dataSync());
    assert.equal(grouped.length, apart.length);
    grouped.forEach((v, i) => assert.ok(Math.abs(v - apart[i]) < 1e-5));
    // And the spec asks for the kernel per group.
    assert.deepEqual(layerSpec(layer('Conv2D', { filters: 6, kernel_size: 3, groups: 2 }), [[5, 5, 4]], '2').weights[0].shape, [3, 3, 2, 6]);
  });

  it('shapes follow TensorFlow padding rules', () => {
    const spec = (cls: string, cfg: Record<string, unknown>, shape: number[]) => layerSpec(layer(cls, cfg), [shape], '2').outputShape;
    assert.deepEqual(spec('Conv2D', { filters: 4, kernel_size: 3, strides: 2, padding: 'same' }, [7, 7, 3]), [4, 4, 4]);
    assert.deepEqual(spec('Conv2D', { filters: 4, kernel_size: 3, strides: 2, padding: 'valid' }, [7, 7, 3]), [3, 3, 4]);
    assert.deepEqual(spec('ZeroPadding2D', { padding: [[1, 2], [0, 3]] }, [4, 4, 2]), [7, 7, 2]);
    assert.deepEqual(spec('DepthwiseConv2D', { kernel_size: 3, depth_multiplier: 2, padding: 'same' }, [8, 8, 3]), [8, 8, 6]);
    assert.deepEqual(spec('Dense', { units: 5 }, [2, 3]), [2, 5]);
  });

  it('refuses what it cannot build, naming the layer', () => {
    const fails = (cls: string, cfg: Record<string, unknown>, shape: number[], pattern: RegExp) =>
      assert.throws(() => layerSpec({ name: 'odd_one', className: cls, config: cfg, inbound: ['in'] }, [shape], '2'), (e: unknown) => isFrwError(e, 'UNSUPPORTED') && /layer 'odd_one'/.test(e.message) && pattern.test(e.message));
    fails('Lambda', {}, [4], /class is not supported/);
    // Names of Object.prototype's members are classes like any other unknown one, not a TypeError.
    for (const cls of ['constructor', 'toString', '__proto__']) fails(cls, {}, [4], /class is not supported/);
    fails('Conv2D', { filters: 4, kernel_size: 3, data_format: 'channels_first' }, [3, 8, 8], /channels_first/);
    fails('BatchNormalization', { axis: [1] }, [8, 8, 3], /only the last/);
    fails('Activation', { activation: 'gelu_tanh' }, [4], /activation "gelu_tanh"/);
    fails('Conv2D', { filters: 4, kernel_size: 9, padding: 'valid' }, [4, 4, 3], /does not fit/);
  });

  it('reads Keras 3 and Sequential configs into the same graph', () => {
    const t = (name: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 4], dtype: 'float32', keras_history: [name, 0, 0] } });
    const keras3 = {
      class_name: 'Functional',
      config: {
        name: 'm',
        layers: [
          { class_name: 'InputLayer', name: 'x', config: { name: 'x', batch_shape: [null, 4] }, inbound_nodes: [] },
          { class_name: 'Dense', name: 'a', config: { name: 'a', units: 3, activation: 'relu' }, inbound_nodes: [{ args: [t('x')], kwargs: {} }] },
          { class_name: 'Dense', name: 'b', config: { name: 'b', units: 3 }, inbound_nodes: [{ args: [t('x')], kwargs: {} }] },
          { class_name: 'Add', name: 'sum', config: { name: 'sum' }, inbound_nodes: [{ args: [[t('a'), t('b')]], kwargs: {} }] },
        ],
        input_layers: ['x', 0, 0],
        output_layers: ['sum', 0, 0],
      },
    };
    const g = graphFromModelConfig(keras3, '3.3.3', 'keras3.h5');
    assert.deepEqual(g.layers.map((l) => `${l.name}<-${l.inbound.join('+')}`), ['x<-', 'a<-x', 'b<-x', 'sum<-a+b']);
    const seq = graphFromModelConfig({ class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 2, batch_input_shape: [null, 3] } }, { class_name: 'Dropout', config: { name: 'drop', rate: 0.5 } }] } }, '2.10.0', 'seq.h5');
    assert.deepEqual(seq.layers.map((l) => l.className), ['InputLayer', 'Dense', 'Dropout']);
    assert.throws(() => graphFromModelConfig({ class_name: 'Functional', config: { layers: [{ class_name: 'Dense', name: 'd', config: {}, inbound_nodes: [[['x', 0, 0, {}]], [['y', 0, 0, {}]]] }] } }, '2', 'shared.h5'), /shared layer/);
  });

  it('runs a small model end to end with weights matched by name, and frees what it no longer needs', () => {
    const cfg = keras2Config([
      ['in', 'InputLayer', { batch_input_shape: [null, 2, 2, 1] }, []],
      ['conv', 'Conv2D', { filters: 1, kernel_size: 1, use_bias: true, padding: 'valid' }, ['in']],
      ['act', 'PReLU', { shared_axes: [1, 2] }, ['conv']],
      ['drop', 'Dropout', { rate: 0.5 }, ['act']],
      ['flat', 'Flatten', {}, ['drop']],
    ], 'flat');
    const w: Record<string, KerasWeight[]> = {
      conv: [{ name: 'conv/kernel:0', shape: [1, 1, 1, 1], values: Float32Array.of(2) }, { name: 'conv/bias:0', shape: [1], values: Float32Array.of(-1) }],
      act: [{ name: 'act/alpha:0', shape: [1, 1, 1], values: Float32Array.of(0.5) }],
    };
    const m = buildKerasModel(graphFromModelConfig(cfg, '2.10.0', 'tiny.h5'), { file: 'tiny.h5', layers: Object.keys(w), read: (l) => w[l] ?? [] });
    const before = tf.memory().numTensors;
    const x = tf.tensor([0, 1, -1, 2], [1, 2, 2, 1]);
    const [y] = m.predict(x, ['flat']);
    // 2x − 1, then PReLU with alpha 0.5: [-0.5, 1, -1.5, 3]
    assert.deepEqual(Array.from(y.dataSync()), [-0.5, 1, -1.5, 3]);
    x.dispose();
    y.dispose();
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    m.dispose();
    const wrong = { ...w, conv: [w.conv[0]] };
    assert.throws(() => buildKerasModel(graphFromModelConfig(cfg, '2.10.0', 'tiny.h5'), { file: 'tiny.h5', layers: Object.keys(wrong), read: (l) => wrong[l as keyof typeof wrong] ?? [] }), /layer 'conv': weight 'bias' \[1\] is missing/);
  });
});

import * as tf from '@tensorflow/tfjs';
import type { LayerConfig } from './config.js';

export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'sigmoid', 'hard_sigmoid', 'swish', 'silu', 'tanh', 'softmax'] as const;

/** Major version of the Keras that saved the file; '' (unknown) is taken as 2, the version of the `.h5` format. */
export function kerasMajor(version: string): number {
  const m = /^(\d+)\./.exec(version);
  return m ? Number(m[1]) : 2;
}

/**
 * An activation function by Keras name. `hard_sigmoid` changed meaning between versions: Keras 2 computes
 * clip(0.2·x + 0.5, 0, 1), Keras 3 clip(x/6 + 0.5, 0, 1); a checkpoint computes what the Keras that saved it did.
 */
export function activationFn(name: string, kerasVersion: string, cfg: LayerConfig): (x: tf.Tensor) => tf.Tensor {
  switch (name) {
    case 'linear':
      return (x) => x;
    case 'relu':
      return (x) => tf.relu(x);
    case 'relu6':
      return (x) => tf.relu6(x);
    case 'sigmoid':
      return (x) => tf.sigmoid(x);
    case 'hard_sigmoid': {
      const slope = kerasMajor(kerasVersion) >= 3 ? 1 / 6 : 0.2;
      return (x) => tf.clipByValue(tf.add(tf.mul(x, slope), 0.5), 0, 1);
    }
    case 'swish':
    case 'silu':
      return (x) => tf.mul(x, tf.sigmoid(x));
    case 'tanh':
      return (x) => tf.tanh(x);
    case 'softmax':
      return (x) => tf.softmax(x);
    default:
      throw cfg.fail(`activation ${JSON.stringify(name)} is not supported (supported: ${ACTIVATIONS.join(', ')})`);
  }
}

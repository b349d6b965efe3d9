import { FrwError } from '../../core/errors.js';
import { ghostFaceNetV1, type GhostFaceNetOptions } from '../ghostfacenet.js';
import type { KerasGraph } from './graph.js';

/**
 * Architectures built in code, named in a keras-h5 card to load weights-only files or to hold a file to the
 * published design. Kept free of TensorFlow.js so cards can name them without loading a runtime.
 */
export const KERAS_ARCHITECTURES = ['ghostfacenet-v1'] as const;
export type KerasArchitecture = { name: (typeof KERAS_ARCHITECTURES)[number] } & GhostFaceNetOptions;

export function architectureGraph(arch: KerasArchitecture): KerasGraph {
  if (arch.name === 'ghostfacenet-v1') return ghostFaceNetV1(arch);
  throw new FrwError('UNSUPPORTED', `unknown architecture ${JSON.stringify((arch as { name: unknown }).name)} (known: ${KERAS_ARCHITECTURES.join(', ')})`);
}

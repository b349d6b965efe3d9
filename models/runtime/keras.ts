/**
 * Keras `.h5` checkpoints as inference sessions, on the same TensorFlow.js backend as TF.js models (tfjs-node when
 * installed, wasm otherwise). No Python, no converter: models/keras/ reads the file and builds the graph.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { FrwError, errorMessage, isFrwError } from '../../core/errors.js';
import { loadKerasCheckpoint, type KerasLoadOptions } from '../keras/load.js';
import { checkFeeds } from './feeds.js';
import { initTfjs, readOut } from './tfjs.js';
import type { FloatTensor, InferenceSession, SessionOptions, TensorInfo } from './types.js';

/**
 * Open a Keras `.h5` file. Inputs and outputs are named after their layers (any layer may be asked for as an
 * output); the batch dimension is free. `opts.threads` is not applied, as for TF.js sessions.
 */
export async function createKerasSession(file: string, opts: SessionOptions & KerasLoadOptions): Promise<InferenceSession> {
  const abs = path.resolve(file);
  const runtime = await initTfjs();
  const model = loadKerasCheckpoint(abs, opts);
  const { graph, inputShape, shapes } = model.plan;
  const inputs: TensorInfo[] = [{ name: graph.inputs[0], shape: [-1, ...inputShape] }];
  const outputs: TensorInfo[] = graph.outputs.map((name) => ({ name, shape: [-1, ...shapes.get(name)!] }));

  async function run(feeds: Record<string, FloatTensor>, outputNames?: string[]): Promise<Record<string, FloatTensor>> {
    const feed = checkFeeds(abs, inputs, feeds).get(inputs[0].name)!;
    const wanted = outputNames ?? outputs.map((o) => o.name);
    const x = tf.tensor(feed.data, feed.dims, 'float32');
    let results: tf.Tensor[] = [];
    try {
      results = model.predict(x, wanted);
      const out: Record<string, FloatTensor> = {};
      for (let k = 0; k < wanted.length; k++) out[wanted[k]] = await readOut(results[k]);
      return out;
    } catch (e) {
      if (isFrwError(e)) throw e;
      throw new FrwError('INTERNAL', `TensorFlow.js failed on ${abs}: ${errorMessage(e)}`, { model: abs }, { cause: e });
    } finally {
      x.dispose();
      results.forEach((t) => t.dispose());
    }
  }

  return {
    runtime,
    inputs,
    outputs,
    run,
    async dispose() {
      model.dispose();
    },
  };
}

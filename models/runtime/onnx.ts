/**
 * onnxruntime-node runtime: float32 tensors in, float32 tensors out, with feeds checked against the model's
 * declared inputs before ORT sees them so a wrong crop size or layout fails with a message naming both shapes.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { FrwError, errorMessage } from '../../core/errors.js';
import { checkFeeds, describeTensor } from './feeds.js';
import type { FloatTensor, InferenceSession, SessionOptions, TensorInfo } from './types.js';

function toInfo(meta: ort.InferenceSession.ValueMetadata, modelPath: string, role: 'input' | 'output'): TensorInfo {
  if (!meta.isTensor) {
    throw new FrwError('UNSUPPORTED', `${role} '${meta.name}' of ${modelPath} is not a tensor (sequence or map)`, { model: modelPath });
  }
  // Feeds are Float32Array only; a model wanting int64 ids or uint8 pixels needs its own adapter.
  if (role === 'input' && meta.type !== 'float32') {
    throw new FrwError('UNSUPPORTED', `input '${meta.name}' of ${modelPath} is ${meta.type}; only float32 inputs are supported`, {
      model: modelPath,
    });
  }
  // ORT reports free dims as strings (symbolic) or -1; both mean "any size".
  return { name: meta.name, shape: meta.shape.map((d) => (typeof d === 'string' || d >= 0 ? d : -1)) };
}

function toFloat(value: ort.OnnxValue, name: string, modelPath: string): FloatTensor {
  const dims = [...value.dims];
  const data = value.data;
  // Copy: ORT may reuse or free the backing buffer once the result object is released.
  if (data instanceof Float32Array) return { data: new Float32Array(data), dims };
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    return { data: Float32Array.from(data, (v) => Number(v)), dims };
  }
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    return { data: Float32Array.from(data as unknown as ArrayLike<number>), dims };
  }
  throw new FrwError('UNSUPPORTED', `output '${name}' of ${modelPath} has type ${value.type}, not a numeric tensor`, { model: modelPath });
}

/**
 * Open an ONNX model with onnxruntime-node on the CPU: `opts.threads` intra-op threads, one inter-op thread, all
 * graph optimisations. Throws FrwError NOT_FOUND for a missing file, BAD_INPUT when ORT cannot load it, and
 * UNSUPPORTED for non-tensor or non-float32 inputs. Runs throw MODEL_MISMATCH for feeds that disagree with the
 * declared inputs and INTERNAL (with the model path) for errors raised inside ORT.
 */
export async function createOnnxSession(modelPath: string, opts: SessionOptions): Promise<InferenceSession> {
  const abs = path.resolve(modelPath);
  if (!Number.isInteger(opts.threads) || opts.threads < 1) {
    throw new FrwError('BAD_INPUT', `threads must be a positive integer, got ${opts.threads}`);
  }
  try {
    await access(abs);
  } catch (e) {
    throw new FrwError('NOT_FOUND', `model file not found: ${abs}`, { path: abs }, { cause: e });
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(abs, {
      intraOpNumThreads: opts.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  } catch (e) {
    throw new FrwError('BAD_INPUT', `onnxruntime cannot load ${abs}: ${errorMessage(e)}`, { path: abs }, { cause: e });
  }

  let inputs: TensorInfo[];
  let outputs: TensorInfo[];
  try {
    inputs = session.inputMetadata.map((m) => toInfo(m, abs, 'input'));
    outputs = session.outputMetadata.map((m) => toInfo(m, abs, 'output'));
  } catch (e) {
    await session.release();
    throw e;
  }

  async function run(feeds: Record<string, FloatTensor>, outputNames?: string[]): Promise<Record<string, FloatTensor>> {
    checkFeeds(abs, inputs, feeds);
    const wanted = outputNames ?? outputs.map((o) => o.name);
    for (const name of wanted) {
      if (!outputs.some((o) => o.name === name)) {
        throw new FrwError('MODEL_MISMATCH', `${abs} has no output '${name}'; its outputs are ${outputs.map(describeTensor).join(', ')}`, {
          model: abs,
          output: name,
        });
      }
    }
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, f] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', f.data, f.dims);
    let result: ort.InferenceSession.ReturnType;
    try {
      result = await session.run(ortFeeds, wanted);
    } catch (e) {
      throw new FrwError('INTERNAL', `onnxruntime failed on ${abs}: ${errorMessage(e)}`, { model: abs }, { cause: e });
    }
    const out: Record<string, FloatTensor> = {};
    for (const name of wanted) {
      const value = result[name];
      if (!value) throw new FrwError('INTERNAL', `onnxruntime returned no '${name}' for ${abs}`, { model: abs });
      out[name] = toFloat(value, name, abs);
    }
    return out;
  }

  return {
    runtime: 'onnxruntime-node',
    inputs,
    outputs,
    run,
    async dispose() {
      await session.release();
    },
  };
}

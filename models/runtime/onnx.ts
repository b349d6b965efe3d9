/**
 * onnxruntime-node runtime: float32 tensors in, float32 tensors out, with feeds checked against the model's
 * declared inputs before ORT sees them so a wrong crop size or layout fails with a message naming both shapes.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { FrwError, errorMessage } from '../../core/errors.js';
import { checkFeeds, describeTensor } from './feeds.js';
import { freeBatchDim } from './onnx-batch.js';
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

/** Inputs of the load-time check: a batch of 2 distinct samples, so a graph that mixes samples shows it. */
const CHECK_BATCH = 2;
/**
 * Relative to the output's largest magnitude (at least 1). Batched and single runs of a per-sample graph differ by
 * float rounding (0 to 1e-6 here); the sample mixing SCRFD-500M shows differs by 3e-3 on these probes.
 */
const CHECK_TOLERANCE = 1e-4;

/**
 * Sample `b` of input `k`: a smooth wave of its own frequency, phase and amplitude in [-1, 1]. Smooth rather than
 * white noise, because convolutions average noise away: a graph that feeds sample 0's features to sample 1 (a
 * Resize to a fixed [1, C, H, W], broadcast back) then differs by 1e-2, not 1e-4.
 */
function probeSample(n: number, k: number, b: number): Float32Array {
  const out = new Float32Array(n);
  const f = 0.37 + 0.23 * b + 0.05 * k;
  const amp = 1 - 0.45 * (b % 2);
  for (let i = 0; i < n; i++) out[i] = amp * Math.sin(i * f + b + k);
  return out;
}

/** Why the rewritten session's batch of CHECK_BATCH differs from the original's single runs; null when it does not. */
async function batchMismatch(original: ort.InferenceSession, candidate: ort.InferenceSession, shapes: Array<{ name: string; shape: number[] }>): Promise<string | null> {
  const per = shapes.map((s) => s.shape.slice(1).reduce((a, b) => a * b, 1));
  const samples = shapes.map((_, k) => Array.from({ length: CHECK_BATCH }, (_, b) => probeSample(per[k], k, b)));
  const stack = (parts: Float32Array[]) => {
    const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    parts.forEach((p, b) => all.set(p, b * p.length));
    return all;
  };
  const batched = await candidate.run(Object.fromEntries(shapes.map((s, k) => [s.name, new ort.Tensor('float32', stack(samples[k]), [CHECK_BATCH, ...s.shape.slice(1)])])));
  for (let b = 0; b < CHECK_BATCH; b++) {
    const single = await original.run(Object.fromEntries(shapes.map((s, k) => [s.name, new ort.Tensor('float32', samples[k][b], s.shape)])));
    for (const name of original.outputNames) {
      const one = single[name];
      const many = batched[name];
      const want = [CHECK_BATCH, ...one.dims.slice(1)];
      if (!many || one.dims[0] !== 1 || many.dims.length !== want.length || many.dims.some((d, i) => d !== want[i])) {
        return `output '${name}' of a batch of ${CHECK_BATCH} has dims [${many?.dims.join(',')}], single runs [${one.dims.join(',')}]`;
      }
      const n = one.size;
      const a = one.data as ArrayLike<number | bigint>;
      const m = many.data as ArrayLike<number | bigint>;
      let scale = 1;
      for (let j = 0; j < n; j++) scale = Math.max(scale, Math.abs(Number(a[j])));
      for (let j = 0; j < n; j++) {
        const d = Math.abs(Number(m[b * n + j]) - Number(a[j]));
        if (!(d <= CHECK_TOLERANCE * scale)) return `output '${name}' of sample ${b} differs by ${d} from its single run`;
      }
    }
  }
  return null;
}

const warned = new Set<string>();
function warnBatchOne(abs: string, why: string): void {
  if (warned.has(abs)) return;
  warned.add(abs);
  process.stderr.write(`frw: ${abs}: a free batch was refused, running one sample per call: ${why}\n`);
}

/**
 * Open the batch-freed rewrite (onnx-batch.ts) of a model in place of `original`, once it is proven: the rewritten
 * model's batch of 2 must match the original's two single runs (dims and values). The digest stays the file's own
 * (models/files.ts hashes the file; the rewrite is a pure function of its bytes). Any failure — bytes we cannot
 * parse, ORT refusing the rewrite, a batch that differs — keeps the original at batch 1 and says so once on stderr,
 * never a silent wrong answer; models the rewrite does not apply to (no fixed batch of 1, inputs with other free
 * sizes, non-float inputs) keep the original quietly.
 *
 * Behind an option, off by default, because it does not pay on our runtime: bench/onnx-batch.ts measured both
 * shipped embedders at 0.73–1.00× the faces/s with batches of 16 against one face per run (0.87–0.99× on the bare
 * runtime) on single-threaded CPU sessions, what each embedding worker holds: to the CPU kernels a batch is about
 * that many single convolutions, with nothing to amortise but a small per-run overhead and 16× the activations to
 * keep in cache. (2-thread sessions gained 1.0–1.4×, still below two single-threaded workers' throughput.) The check also costs a second session and three inferences per load. It is for
 * an execution provider or thread count where batching does pay, measured with the same bench first.
 */
async function preferFreeBatch(abs: string, original: ort.InferenceSession, ortOpts: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  let plan: ReturnType<typeof freeBatchDim>;
  try {
    plan = freeBatchDim(new Uint8Array(await readFile(abs)), abs);
  } catch (e) {
    warnBatchOne(abs, `its bytes could not be read as ONNX protobuf (${errorMessage(e)})`);
    return original;
  }
  if (!plan.ok) return original;
  const floatInputs = original.inputMetadata.every((m) => m.isTensor && m.type === 'float32');
  const shapes = plan.inputShapes.filter((s): s is { name: string; shape: number[] } => s.shape.every((d) => typeof d === 'number'));
  if (!floatInputs || shapes.length !== plan.inputShapes.length) return original;
  let candidate: ort.InferenceSession;
  try {
    candidate = await ort.InferenceSession.create(plan.bytes, ortOpts);
  } catch (e) {
    warnBatchOne(abs, `onnxruntime cannot load the rewritten model (${errorMessage(e)})`);
    return original;
  }
  let why: string | null;
  try {
    why = await batchMismatch(original, candidate, shapes);
  } catch (e) {
    why = `a check inference failed (${errorMessage(e)})`;
  }
  if (why) {
    await candidate.release();
    warnBatchOne(abs, why);
    return original;
  }
  await original.release();
  return candidate;
}

/**
 * Open an ONNX model with onnxruntime-node on the CPU: `opts.threads` intra-op threads, one inter-op thread, all
 * graph optimisations. With `opts.freeBatch`, a model declaring a fixed batch of 1 gets a free batch when a
 * load-time check proves it safe (see preferFreeBatch; off by default, for the reason given there). Throws FrwError
 * NOT_FOUND for a missing file, BAD_INPUT when ORT cannot load it, and UNSUPPORTED for non-tensor or non-float32
 * inputs. Runs throw MODEL_MISMATCH for feeds that disagree with the declared inputs and INTERNAL (with the model
 * path) for errors raised inside ORT.
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
  const ortOpts: ort.InferenceSession.SessionOptions = { intraOpNumThreads: opts.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(abs, ortOpts);
  } catch (e) {
    throw new FrwError('BAD_INPUT', `onnxruntime cannot load ${abs}: ${errorMessage(e)}`, { path: abs }, { cause: e });
  }
  if (opts.freeBatch === true) session = await preferFreeBatch(abs, session, ortOpts);

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

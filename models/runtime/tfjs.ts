/**
 * TensorFlow.js runtime: graph and layers models read straight from disk (no fetch, no network), run on the native
 * tfjs-node backend when it is installed and on the WebAssembly backend otherwise.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { FrwError, errorMessage, isFrwError } from '../../core/errors.js';
import { resolveInside } from '../../core/paths.js';
import { checkFeeds } from './feeds.js';
import type { FloatTensor, InferenceSession, SessionOptions, TensorInfo } from './types.js';

export type TfjsRuntime = 'tfjs-node' | 'tfjs-wasm';

let backend: TfjsRuntime | null = null;
let initPromise: Promise<TfjsRuntime> | null = null;

/** The backend chosen for this process, or null before the first session (or {@link initTfjs}) has started one. */
export function tfjsBackendName(): TfjsRuntime | null {
  return backend;
}

/**
 * Pick and start the TensorFlow.js backend once per process: tfjs-node when it can be imported, else the SIMD
 * WebAssembly backend with its .wasm files taken from node_modules. Safe to call concurrently and repeatedly.
 */
export function initTfjs(): Promise<TfjsRuntime> {
  initPromise ??= chooseBackend().then(
    (b) => (backend = b),
    (e: unknown) => {
      // A failed start must not poison the process: the next caller tries again.
      initPromise = null;
      throw isFrwError(e) ? e : new FrwError('INTERNAL', `cannot start TensorFlow.js: ${errorMessage(e)}`, undefined, { cause: e });
    },
  );
  return initPromise;
}

async function chooseBackend(): Promise<TfjsRuntime> {
  try {
    // A variable specifier keeps tsc from demanding the optional package's types; it is absent on most machines.
    const nodeBackend = '@tensorflow/tfjs-node';
    await import(nodeBackend);
    if (await tf.setBackend('tensorflow')) {
      await tf.ready();
      return 'tfjs-node';
    }
  } catch {
    // Not installed, or its native binding failed to load: fall through to wasm.
  }
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // Resolve from this file, not the working directory, so the CLI works from any folder.
  const require = createRequire(import.meta.url);
  const distDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  if (!existsSync(path.join(distDir, 'tfjs-backend-wasm-simd.wasm'))) {
    throw new FrwError('NOT_FOUND', `tfjs-backend-wasm binaries not found in ${distDir}`);
  }
  // The backend reads the .wasm with fs in Node when given a plain path prefix. Threads stay off: tfjs 4.22
  // hard-codes WASM_HAS_MULTITHREAD_SUPPORT=false under Node, so only the SIMD (or plain) binary is ever loaded.
  wasm.setWasmPaths(distDir + path.sep);
  if (!(await tf.setBackend('wasm'))) throw new FrwError('INTERNAL', 'TensorFlow.js refused the wasm backend');
  await tf.ready();
  return 'tfjs-wasm';
}

interface ModelJson {
  format?: string;
  modelTopology?: Record<string, unknown>;
  weightsManifest?: tf.io.WeightsManifestConfig;
  [key: string]: unknown;
}

type ModelKind = 'graph' | 'layers';

function modelKind(json: ModelJson, jsonPath: string): ModelKind {
  if (json.format === 'graph-model') return 'graph';
  if (json.format === 'layers-model') return 'layers';
  // Older converters wrote no `format`; the topology's shape still tells the two apart.
  if (json.format === undefined && json.modelTopology) {
    if (Array.isArray(json.modelTopology.node)) return 'graph';
    if ('model_config' in json.modelTopology || 'class_name' in json.modelTopology) return 'layers';
  }
  throw new FrwError('UNSUPPORTED', `${jsonPath}: unknown TensorFlow.js model format ${JSON.stringify(json.format ?? null)}`, {
    path: jsonPath,
  });
}

async function readModelJson(jsonPath: string): Promise<ModelJson> {
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (e) {
    throw new FrwError('NOT_FOUND', `model file not found: ${jsonPath}`, { path: jsonPath }, { cause: e });
  }
  try {
    const json = JSON.parse(text) as unknown;
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('not a JSON object');
    return json as ModelJson;
  } catch (e) {
    throw new FrwError('BAD_INPUT', `${jsonPath} is not a TensorFlow.js model.json: ${errorMessage(e)}`, { path: jsonPath }, { cause: e });
  }
}

/** An IOHandler that serves model.json and its shards from disk; tfjs's own file loaders need fetch or tfjs-node. */
function diskHandler(jsonPath: string, json: ModelJson): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const dir = path.dirname(jsonPath);
      const weightSpecs: tf.io.WeightsManifestEntry[] = [];
      const shards: Buffer[] = [];
      for (const group of json.weightsManifest ?? []) {
        for (const rel of group.paths) {
          // Shard paths come from the file; keep them inside the model's folder.
          const shardPath = resolveInside(dir, rel);
          try {
            shards.push(await readFile(shardPath));
          } catch (e) {
            throw new FrwError('NOT_FOUND', `weight file not found: ${shardPath} (listed in ${jsonPath})`, { path: shardPath }, { cause: e });
          }
        }
        weightSpecs.push(...group.weights);
      }
      const all = Buffer.concat(shards);
      const { weightsManifest: _ignored, ...rest } = json;
      return {
        ...(rest as tf.io.ModelArtifacts),
        weightSpecs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
    },
  };
}

const ASYNC_OPS = new Set([
  // Mirrors tfjs-converter's model_analysis: graphs holding these ops cannot run through execute().
  'Switch', 'Merge', 'Enter', 'Exit', 'NextIteration', 'StatelessIf', 'StatelessWhile', 'If', 'if', 'While',
  'NonMaxSuppressionV2', 'NonMaxSuppressionV3', 'NonMaxSuppressionV4', 'NonMaxSuppressionV5', 'Where',
  'HashTable', 'HashTableV2', 'LookupTableImport', 'LookupTableImportV2', 'LookupTableFind', 'LookupTableFindV2',
]);

const dimsOf = (shape: ReadonlyArray<number | null | undefined> | undefined): Array<number | string> =>
  (shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? d : -1));

/** Strip tfjs's `:0` output index so `data` and `data:0` name the same tensor. */
const baseName = (name: string): string => name.replace(/:\d+$/, '');

function signatureShape(sig: unknown, key: string): Array<number | string> {
  const entry = (sig as { outputs?: Record<string, { tensorShape?: { dim?: Array<{ size?: string | number }> } }> })?.outputs?.[key];
  const dims = entry?.tensorShape?.dim;
  // An undeclared output shape is reported as [] (unknown), not guessed.
  return dims ? dims.map((d) => Number(d.size ?? -1)).map((d) => (Number.isFinite(d) && d >= 0 ? d : -1)) : [];
}

/** A tensor's values as the float32 the InferenceSession interface promises. */
export async function readOut(t: tf.Tensor): Promise<FloatTensor> {
  const values = await t.data();
  // wasm's data() already copies out of the heap; other dtypes are widened to the float32 the interface promises.
  return { data: values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>), dims: [...t.shape] };
}

/**
 * Open a TensorFlow.js graph or layers model from a local model.json (weights resolved next to it).
 * `opts.outputNames` picks the outputs a plain `run()` returns (graph models may name any node, e.g. an inner
 * pooling layer). `opts.threads` is not applied: tfjs-wasm runs single-threaded under Node and tfjs-node sizes
 * its own pool. Throws FrwError NOT_FOUND (missing json or shard), UNSUPPORTED (unknown format), MODEL_MISMATCH.
 */
export async function createTfjsSession(
  modelJsonPath: string,
  opts: SessionOptions & { outputNames?: string[] },
): Promise<InferenceSession> {
  const jsonPath = path.resolve(modelJsonPath);
  const json = await readModelJson(jsonPath);
  const kind = modelKind(json, jsonPath);
  const runtime = await initTfjs();
  const handler = diskHandler(jsonPath, json);

  let graph: tf.GraphModel | null = null;
  let layers: tf.LayersModel | null = null;
  try {
    if (kind === 'graph') graph = await tf.loadGraphModel(handler);
    else layers = await tf.loadLayersModel(handler);
  } catch (e) {
    if (isFrwError(e)) throw e;
    throw new FrwError('MODEL_MISMATCH', `cannot build a model from ${jsonPath}: ${errorMessage(e)}`, { path: jsonPath }, { cause: e });
  }

  let inputs: TensorInfo[];
  let declaredOutputs: TensorInfo[];
  const nodeNames = new Set<string>();
  let useAsync = false;
  let layerInputs: string[] = [];
  let layerOutputs: string[] = [];
  if (graph) {
    const nodes = (json.modelTopology?.node as Array<{ name: string; op: string }> | undefined) ?? [];
    for (const n of nodes) nodeNames.add(n.name);
    useAsync = nodes.some((n) => ASYNC_OPS.has(n.op));
    inputs = graph.inputs.map((i) => ({ name: i.name, shape: dimsOf(i.shape) }));
    const sig = graph.modelSignature;
    declaredOutputs = graph.outputs.map((o, k) => ({ name: o.name, shape: signatureShape(sig, graph!.outputNodes[k] ?? o.name) }));
  } else {
    const m = layers!;
    // A Sequential model leaves inputNames/outputNames empty; its symbolic tensors still carry names.
    layerInputs = m.inputNames.length === m.inputs.length ? m.inputNames : m.inputs.map((t) => t.name);
    layerOutputs = m.outputNames.length === m.outputs.length ? m.outputNames : m.outputs.map((t) => t.name);
    inputs = layerInputs.map((name, k) => ({ name, shape: dimsOf(m.inputs[k]?.shape) }));
    declaredOutputs = layerOutputs.map((name, k) => ({ name, shape: dimsOf(m.outputs[k]?.shape) }));
  }

  const outputInfo = (name: string): TensorInfo => {
    const known = declaredOutputs.find((o) => o.name === baseName(name));
    if (known) return { name, shape: known.shape };
    if (graph && nodeNames.has(baseName(name))) return { name, shape: [] };
    throw new FrwError('MODEL_MISMATCH', `${jsonPath} has no output '${name}'; its outputs are ${declaredOutputs.map((o) => o.name).join(', ')}`, {
      model: jsonPath,
      output: name,
    });
  };
  const outputs = opts.outputNames ? opts.outputNames.map(outputInfo) : declaredOutputs;

  async function run(feeds: Record<string, FloatTensor>, outputNames?: string[]): Promise<Record<string, FloatTensor>> {
    const byName = checkFeeds(jsonPath, inputs, feeds, baseName);
    const wanted = outputNames ?? outputs.map((o) => o.name);
    wanted.forEach(outputInfo);
    const inputDtype = (name: string): 'int32' | 'float32' =>
      graph?.inputs.find((i) => i.name === name)?.dtype === 'int32' ? 'int32' : 'float32';
    const fed = new Map([...byName].map(([name, f]) => [name, tf.tensor(f.data, f.dims, inputDtype(name))] as const));
    let results: tf.Tensor[] = [];
    try {
      if (graph) {
        const map: tf.NamedTensorMap = Object.fromEntries(fed);
        // execute() is synchronous, so tidy() can also reclaim intermediates if a kernel throws half-way.
        const r = useAsync ? await graph.executeAsync(map, wanted) : tf.tidy(() => graph!.execute(map, wanted));
        results = Array.isArray(r) ? r : [r];
      } else {
        const m = layers!;
        const r = tf.tidy(() => m.predict(layerInputs.map((n) => fed.get(n)!)));
        const all = Array.isArray(r) ? r : [r];
        results = wanted.map((w) => all[layerOutputs.indexOf(baseName(w))]!);
        all.filter((t) => !results.includes(t)).forEach((t) => t.dispose());
      }
      const out: Record<string, FloatTensor> = {};
      for (let k = 0; k < wanted.length; k++) out[wanted[k]!] = await readOut(results[k]!);
      return out;
    } catch (e) {
      if (isFrwError(e)) throw e;
      throw new FrwError('INTERNAL', `TensorFlow.js failed on ${jsonPath}: ${errorMessage(e)}`, { model: jsonPath }, { cause: e });
    } finally {
      for (const t of fed.values()) t.dispose();
      for (const t of results) t.dispose();
    }
  }

  return {
    runtime,
    inputs,
    outputs,
    run,
    async dispose() {
      graph?.dispose();
      layers?.dispose();
    },
  };
}

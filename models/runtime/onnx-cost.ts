/**
 * Parameters and multiply-adds of an ONNX model, for models/cost.ts. Parameters come from the initializers alone;
 * multiply-adds need every Conv/Gemm/MatMul's real shapes, which the declarations rarely give (value_info is
 * optional and often absent), so the model is rewritten to also output each such node's operands, run once by ORT on
 * a zero input, and the shapes read off the results: what the graph really computes, not what a shape inference of
 * ours would guess.
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { FrwError, errorMessage } from '../../core/errors.js';
import type { ModelCost } from '../cost.js';
import { concatBytes, encodeField } from './protobuf.js';
import { BYTE_TYPES, FLOAT_TYPES, GRAPH, graphOutputs, openGraph, readInitializers, readNodes, realInputs, stringField, withGraph, type OnnxNode } from './onnx-proto.js';

/** Largest input (elements) one counting run allocates: 64 M floats, far above any face model's crop. */
const MAX_PROBE_ELEMENTS = 64 * 2 ** 20;

const COUNTED = ['Conv', 'Gemm', 'MatMul'] as const;
const prod = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** The tensors whose shapes a node's multiply-adds need: Conv its weight, Gemm and MatMul their A; and the output. */
function operands(n: OnnxNode): string[] {
  return [n.op === 'Conv' ? n.inputs[1] : n.inputs[0], n.outputs[0]].filter((s): s is string => !!s);
}

/** Multiply-adds of one node from its operands' shapes (see ModelCost.method for the formulas). */
function nodeMacs(n: OnnxNode, shape: (name: string) => number[]): number {
  const out = prod(shape(n.outputs[0]));
  if (n.op === 'Conv') return out * prod(shape(n.inputs[1]).slice(1)); // N·Cout·Hout·Wout × Cin/group·kh·kw
  const a = shape(n.inputs[0]);
  if (n.op === 'Gemm') return out * ((n.ints.get('transA') ?? 0) ? a[0] : a[1]); // M·N × K
  return out * a[a.length - 1]; // MatMul: every output element is a dot product over A's last axis
}

/**
 * Count a model's cost. Parameters: elements of the initializers holding real numbers (float types) or 8-bit
 * quantised weights; integer initializers (int64 Reshape shapes, int32 indices) and Constant nodes (clip bounds,
 * shapes) are helpers, not weights. Multiply-adds: Conv, Gemm and MatMul only, for one sample — null (with the reason
 * in `method`) when the inputs have free sizes other than the batch, are not float32, or ORT cannot run the model.
 * Throws BAD_INPUT for bytes that are not an ONNX model and NOT_FOUND for a missing file.
 */
export async function onnxCost(model: Uint8Array | string): Promise<ModelCost> {
  const { nodes: _, ...cost } = await onnxCostByNode(model);
  return cost;
}

/** Multiply-adds of one counted node, for one sample. */
export interface NodeMacs {
  op: string;
  /** The node's first output, which names it in every exporter's output. */
  output: string;
  macs: number;
}

/** onnxCost with the multiply-adds of every counted node (empty when they are not counted). */
export async function onnxCostByNode(model: Uint8Array | string): Promise<ModelCost & { nodes: NodeMacs[] }> {
  const what = typeof model === 'string' ? model : 'ONNX model';
  let bytes: Uint8Array;
  try {
    bytes = typeof model === 'string' ? new Uint8Array(await readFile(model)) : model;
  } catch (e) {
    throw new FrwError('NOT_FOUND', `cannot read ${what}: ${errorMessage(e)}`, { path: what }, { cause: e });
  }
  const g = openGraph(bytes, what);
  const inits = readInitializers(g, what);
  const weights = inits.filter((i) => FLOAT_TYPES.has(i.dataType) || BYTE_TYPES.has(i.dataType));
  const parameters = weights.reduce((n, i) => n + i.elements, 0);
  const paramText = `parameters are the elements of the ${weights.length} floating-point or 8-bit initializers (${inits.length - weights.length} integer shape/index initializers and all Constant nodes left out)`;
  const nodes = readNodes(g, what).filter((n) => (COUNTED as readonly string[]).includes(n.op) && (n.domain === '' || n.domain === 'ai.onnx'));
  const notCounted = (why: string) => ({ parameters, multiplyAdds: null, nodes: [], method: `ONNX: ${paramText}; multiply-adds not counted: ${why}.` });
  if (inits.some((i) => i.external)) return notCounted('the weights live in external files');

  const inputs = realInputs(g, what);
  const feeds: Record<string, ort.Tensor> = {};
  let batch = 1;
  for (const [k, i] of inputs.entries()) {
    if (!i.shape) return notCounted(`input '${i.name}' declares no shape`);
    const dims = i.shape.map((d, axis) => ('value' in d ? d.value : axis === 0 ? 1 : NaN));
    if (dims.some((d) => !Number.isFinite(d))) return notCounted(`input '${i.name}' has free sizes other than the batch, so one size would have to be picked`);
    if (k === 0) batch = dims[0] > 0 ? dims[0] : 1;
    // The size comes from the file: a declared input too large to allocate is a reason not to count, not a crash.
    if (prod(dims) > MAX_PROBE_ELEMENTS) return notCounted(`input '${i.name}' declares ${prod(dims)} values, more than the ${MAX_PROBE_ELEMENTS} a measuring run may allocate`);
    feeds[i.name] = new ort.Tensor('float32', new Float32Array(prod(dims)), dims);
  }

  // Shapes known without running: the initializers' and the inputs' (an input cannot be fetched as an output).
  const known = new Map([...inits.map((i): [string, number[]] => [i.name, i.dims]), ...Object.entries(feeds).map(([k, t]): [string, number[]] => [k, [...t.dims]])]);
  const present = new Set(graphOutputs(g, what).map((o) => o.name));
  const extra = [...new Set(nodes.flatMap(operands))].filter((t) => !known.has(t) && !present.has(t));
  // A graph output needs only its name: ORT takes its type and shape from the node producing it.
  const counting = withGraph(g, concatBytes([g.bytes, ...extra.map((t) => encodeField(GRAPH.output, 2, stringField(1, t)))]));
  let shapes: Map<string, number[]>;
  try {
    // No graph optimisation: a fused Conv+Add must still be the Conv the file declares.
    const s = await ort.InferenceSession.create(counting, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'disabled' });
    try {
      if (s.inputMetadata.some((m) => !m.isTensor || m.type !== 'float32')) return notCounted('its inputs are not all float32');
      const wanted = [...new Set(nodes.flatMap(operands).filter((t) => !known.has(t)))];
      const res = wanted.length ? await s.run(feeds, wanted) : {};
      shapes = new Map(Object.entries(res).map(([k, v]) => [k, [...v.dims]]));
    } finally {
      await s.release();
    }
  } catch (e) {
    return notCounted(`onnxruntime could not run it to measure shapes (${errorMessage(e)})`);
  }
  const shape = (name: string): number[] => {
    const s = known.get(name) ?? shapes.get(name);
    if (!s) throw new FrwError('INTERNAL', `${what}: no measured shape for '${name}'`);
    return s;
  };
  const perNode = nodes.map((n) => ({ op: n.op, output: n.outputs[0] ?? '', macs: nodeMacs(n, shape) / batch }));
  const macs = perNode.reduce((n, x) => n + x.macs, 0);
  const byOp = COUNTED.map((op) => `${nodes.filter((n) => n.op === op).length} ${op}`).join(', ');
  return {
    parameters,
    multiplyAdds: macs,
    nodes: perNode,
    method: `ONNX: ${paramText}; multiply-adds are those of the ${byOp} nodes (Conv N·Cout·Hout·Wout·Cin/group·kh·kw, Gemm and MatMul M·K·N) for one sample, from the shapes of one onnxruntime run on a zero input of [${Object.values(feeds).map((t) => t.dims.join('×')).join('; ')}], other ops left out.`,
  };
}

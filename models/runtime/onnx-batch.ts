/**
 * Free the batch dimension of an ONNX model that declares a fixed batch of 1. Exporters often write [1, 3, 112,
 * 112] although the graph computes per sample; ORT then refuses any other batch, and the embedder sends one face
 * per run. Declaring a symbolic `batch` instead lets ORT run 16 faces at once. Nodes, initializers and every field
 * we do not know are copied byte for byte, with one exception: the flatten exporters write as Reshape(x, [1, -1]),
 * which would fold a batch of 16 into one row (see batchReshapes). Whether the graph really is per sample is not
 * provable from the file: the caller compares a batched run with the original model's single runs before trusting
 * the rewrite (models/runtime/onnx.ts).
 */
import { FrwError } from '../../core/errors.js';
import { editFields, encodeField, readFields, repeatedInts, textOf, varintOf, type ProtoField } from './protobuf.js';
import { editFirst, editFirstDim, GRAPH, graphOutputs, openGraph, readInitializers, readNodes, realInputs, stringField, withGraph, type Dim, type OnnxGraph } from './onnx-proto.js';

export const BATCH_PARAM = 'batch';

export interface FreeBatch {
  bytes: Uint8Array;
  /** Inputs and outputs whose first dimension became `batch`. */
  inputs: string[];
  outputs: string[];
  /** The inputs' declared shapes, first dimension 1 (strings where symbolic), for a check inference. */
  inputShapes: Array<{ name: string; shape: Array<number | string> }>;
  /** Outputs of the Reshape nodes whose leading 1 became 0 ("the input's first dimension"). */
  reshapes: string[];
  /** value_info entries dropped (see freeBatchDim). */
  droppedValueInfo: number;
}

export type FreeBatchResult = ({ ok: true } & FreeBatch) | { ok: false; reason: string };

const describe = (d: Dim | undefined) => (!d ? 'absent (a scalar)' : 'value' in d ? String(d.value) : 'param' in d ? `'${d.param}'` : 'unknown');
const isOne = (d: Dim | undefined) => !!d && 'value' in d && d.value === 1;

/**
 * Dimension { dim_value: 1, … } → Dimension { dim_param: "batch", … }, in the place of the value; other fields
 * (denotation, unknown ones) kept in place. dim_value and dim_param are a oneof, where the last one written wins.
 */
function toBatchParam(dim: Uint8Array): Uint8Array {
  const fields = readFields(dim);
  const last = fields.filter((f) => f.no === 1 || f.no === 2).pop();
  return editFields(dim, fields, (f) => (f === last ? stringField(2, BATCH_PARAM) : f.no === 1 || f.no === 2 ? new Uint8Array(0) : undefined));
}

/** A 1-D int64 TensorProto whose first element is 1, with that element made 0; null for any other tensor. */
function firstOneToZero(tensor: Uint8Array): Uint8Array | null {
  const t = readFields(tensor, 'a Reshape shape');
  const dt = t.find((f) => f.no === 2 && f.wire === 0);
  if (!dt || varintOf(dt) !== 7n || repeatedInts(t, 1, 'a Reshape shape').length !== 1) return null;
  const raw = t.find((f) => f.no === 9 && f.wire === 2);
  if (raw) {
    if (raw.payload.length < 8 || new DataView(raw.payload.buffer, raw.payload.byteOffset, 8).getBigInt64(0, true) !== 1n) return null;
    const p = new Uint8Array(raw.payload); // a copy: the original bytes stay untouched
    p.fill(0, 0, 8);
    return editFields(tensor, t, (f) => (f === raw ? encodeField(9, 2, p) : undefined));
  }
  const data = t.find((f) => f.no === 7);
  if (!data || repeatedInts(t, 7, 'a Reshape shape')[0] !== 1) return null;
  if (data.wire === 0) return editFields(tensor, t, (f) => (f === data ? encodeField(7, 0, Uint8Array.of(0)) : undefined));
  if (data.payload[0] !== 1) return null; // packed, and the first varint is not the one byte 0x01
  const p = new Uint8Array(data.payload);
  p[0] = 0;
  return editFields(tensor, t, (f) => (f === data ? encodeField(7, 2, p) : undefined));
}

/** A Constant node with its `value` tensor edited by firstOneToZero; null when that does not apply. */
function constantOneToZero(node: Uint8Array): Uint8Array | null {
  let edited: Uint8Array | null = null;
  const fields = readFields(node, 'a Constant node');
  const out = editFields(node, fields, (f) => {
    if (f.no !== 5 || f.wire !== 2 || edited) return undefined;
    const attr = readFields(f.payload, 'a Constant attribute');
    const name = attr.find((a) => a.no === 1 && a.wire === 2);
    if (!name || textOf(name) !== 'value') return undefined;
    const a = editFirst(f.payload, 5, (t) => firstOneToZero(t) ?? t);
    if (a === f.payload) return undefined;
    edited = a;
    return encodeField(5, 2, a);
  });
  return edited ? out : null;
}

/**
 * Reshape(x, [1, …]) where x is computed from the inputs: the exporter's flatten with the batch written as 1 (both
 * shipped embedders end so). Batch 16 would come back as [1, 16·d] — the right numbers, the wrong shape. A leading
 * 0 means "x's first dimension" (unless allowzero is set, then the node is left alone). Shape constants that anything
 * but such Reshapes reads are left alone too. Returns the replacement bytes of the graph fields edited.
 */
function batchReshapes(g: OnnxGraph, inputs: string[], outputs: string[], what: string): { edits: Map<ProtoField, Uint8Array>; reshapes: string[] } {
  const nodes = readNodes(g, what);
  const live = new Set(inputs);
  for (const n of nodes) if (n.inputs.some((i) => live.has(i))) for (const o of n.outputs) live.add(o);
  const isBatchReshape = (n: (typeof nodes)[number]) => n.op === 'Reshape' && (n.domain === '' || n.domain === 'ai.onnx') && live.has(n.inputs[0]) && (n.ints.get('allowzero') ?? 0) === 0;
  const inits = new Map(readInitializers(g, what).map((i) => [i.name, i]));
  const edits = new Map<ProtoField, Uint8Array>();
  const reshapes: string[] = [];
  for (const n of nodes.filter(isBatchReshape)) {
    const shape = n.inputs[1];
    if (!shape || live.has(shape) || outputs.includes(shape)) continue;
    if (!nodes.every((u) => !u.inputs.includes(shape) || (isBatchReshape(u) && u.inputs.indexOf(shape) === 1))) continue;
    const init = inits.get(shape);
    const constant = init ? undefined : nodes.find((c) => c.op === 'Constant' && c.outputs[0] === shape);
    const field = init?.field ?? constant?.field;
    if (!field) continue;
    if (!edits.has(field)) {
      const edited = init ? firstOneToZero(field.payload) : constantOneToZero(field.payload);
      if (!edited) continue;
      edits.set(field, encodeField(field.no, 2, edited));
    }
    reshapes.push(n.outputs[0] ?? '');
  }
  return { edits, reshapes };
}

/**
 * Rewrite the model so every real input, and every output declaring a first dimension, has `batch` there, and the
 * batch-folding Reshapes keep it. Applies only to a batch-major model: each real input's first dimension is a fixed
 * 1 and each output's is a fixed 1 or undeclared; otherwise `{ ok: false, reason }` says why and nothing is
 * rewritten (a detector whose outputs are [anchors, 4] has no batch axis to free). Throws BAD_INPUT on bytes that
 * are not a protobuf ONNX model.
 *
 * value_info (shapes of intermediate tensors, optional hints) is dropped rather than edited: left saying batch 1,
 * it makes ORT infer the outputs as batch 1 and warn on every batched run ("VerifyOutputSizes: Expected shape from
 * model of {1,800,10} does not match actual shape of {2,800,10}", seen with SCRFD-500M's 119 entries); and a
 * leading 1 there is not reliably a batch axis, so renaming them all could declare a wrong shape. ORT infers the
 * shapes itself from the nodes.
 */
export function freeBatchDim(model: Uint8Array, what = 'ONNX model'): FreeBatchResult {
  const g = openGraph(model, what);
  if (readInitializers(g, what).some((i) => i.external)) {
    return { ok: false, reason: 'its weights are stored in external files, which load only relative to the original path' };
  }
  const inputs = realInputs(g, what);
  const outputs = graphOutputs(g, what);
  if (inputs.length === 0) return { ok: false, reason: 'it has no inputs' };
  for (const i of inputs) {
    if (!i.shape || !isOne(i.shape[0])) return { ok: false, reason: `input '${i.name}' has first dimension ${i.shape ? describe(i.shape[0]) : 'undeclared'}, not a fixed 1` };
  }
  for (const o of outputs) {
    if (o.shape && !isOne(o.shape[0])) return { ok: false, reason: `output '${o.name}' has first dimension ${describe(o.shape[0])}, so its batch is not its first axis` };
  }
  const declared = outputs.filter((o) => o.shape);
  const rewrite = new Set([...inputs.map((i) => i.field), ...declared.map((o) => o.field)]);
  const { edits, reshapes } = batchReshapes(g, inputs.map((i) => i.name), outputs.map((o) => o.name), what);
  let droppedValueInfo = 0;
  const graph = editFields(g.bytes, g.fields, (f) => {
    if (f.no === GRAPH.valueInfo) {
      droppedValueInfo++;
      return new Uint8Array(0);
    }
    const edit = edits.get(f);
    if (edit) return edit;
    if (!rewrite.has(f)) return undefined;
    const vi = editFirstDim(f.payload, toBatchParam);
    if (vi === f.payload) throw new FrwError('INTERNAL', `${what}: the first dimension of a graph ${f.no === GRAPH.input ? 'input' : 'output'} was read as 1 but not rewritten`);
    return encodeField(f.no, 2, vi);
  });
  return {
    ok: true,
    bytes: withGraph(g, graph),
    inputs: inputs.map((i) => i.name),
    outputs: declared.map((o) => o.name),
    inputShapes: inputs.map((i) => ({ name: i.name, shape: i.shape!.map((d) => ('value' in d ? d.value : 'param' in d ? d.param : '?')) })),
    reshapes,
    droppedValueInfo,
  };
}

/**
 * The parts of ONNX's schema (onnx/onnx.proto) that the batch rewrite and the cost count read, by field number:
 * ModelProto 7 graph; GraphProto 1 node, 5 initializer, 11 input, 12 output, 13 value_info; NodeProto 1 input,
 * 2 output, 4 op_type; ValueInfoProto 1 name, 2 type; TypeProto 1 tensor_type; TypeProto.Tensor 2 shape;
 * TensorShapeProto 1 dim; Dimension 1 dim_value, 2 dim_param; TensorProto 1 dims, 2 data_type, 8 name,
 * 14 data_location. Everything else stays opaque bytes.
 */
import { FrwError } from '../../core/errors.js';
import { editFields, encodeField, readFields, repeatedInts, safeNumber, textOf, varintOf, type ProtoField } from './protobuf.js';

export const MODEL_GRAPH = 7;
export const GRAPH = { node: 1, initializer: 5, input: 11, output: 12, valueInfo: 13 } as const;

export interface OnnxGraph {
  /** The model's own bytes and fields, to put an edited graph back into. */
  model: Uint8Array;
  modelFields: ProtoField[];
  /** The graph's bytes and fields. */
  bytes: Uint8Array;
  fields: ProtoField[];
}

/** Parse a model down to its main graph. Throws BAD_INPUT naming `what` for bytes that are not an ONNX model. */
export function openGraph(model: Uint8Array, what: string): OnnxGraph {
  const modelFields = readFields(model, what);
  const graphs = modelFields.filter((f) => f.no === MODEL_GRAPH);
  if (graphs.length !== 1 || graphs[0].wire !== 2) {
    throw new FrwError('BAD_INPUT', `${what} is not an ONNX model: expected one graph (field 7), found ${graphs.length}`, { graphs: graphs.length });
  }
  return { model, modelFields, bytes: graphs[0].payload, fields: readFields(graphs[0].payload, `${what} (graph)`) };
}

/** The model with its graph replaced; every other model field is copied as it was. */
export function withGraph(g: OnnxGraph, graph: Uint8Array): Uint8Array {
  return editFields(g.model, g.modelFields, (f) => (f.no === MODEL_GRAPH && graph !== g.bytes ? encodeField(MODEL_GRAPH, 2, graph) : undefined));
}

const utf8 = new TextEncoder();
export const stringField = (no: number, s: string): Uint8Array => encodeField(no, 2, utf8.encode(s));

function lenFields(fields: readonly ProtoField[], no: number, what: string): ProtoField[] {
  const out = fields.filter((f) => f.no === no);
  for (const f of out) if (f.wire !== 2) throw new FrwError('BAD_INPUT', `${what}: field ${no} has wire type ${f.wire}, expected a message or string`);
  return out;
}

/** The payload of the first length-delimited field `no`, parsed; null when absent. */
function sub(fields: readonly ProtoField[], no: number, what: string): ProtoField[] | null {
  const f = lenFields(fields, no, what)[0];
  return f ? readFields(f.payload, what) : null;
}

const nameOf = (fields: readonly ProtoField[], no: number, what: string) => {
  const f = lenFields(fields, no, what)[0];
  return f ? textOf(f) : '';
};

/** One dimension of a declared shape: a fixed size, a symbolic name, or unknown (neither is set). */
export type Dim = { value: number } | { param: string } | { unknown: true };

export interface ValueInfo {
  name: string;
  /** null when the value declares no tensor shape. */
  shape: Dim[] | null;
}

export function readValueInfo(bytes: Uint8Array, what: string): ValueInfo {
  const fields = readFields(bytes, what);
  const name = nameOf(fields, 1, what);
  const tensor = sub(sub(fields, 2, what) ?? [], 1, what);
  const shape = tensor && sub(tensor, 2, what);
  if (!shape) return { name, shape: null };
  return {
    name,
    shape: lenFields(shape, 1, what).map((d): Dim => {
      // dim_value and dim_param are a oneof: the last one written wins.
      const set = readFields(d.payload, what).filter((x) => x.no === 1 || x.no === 2).pop();
      if (!set) return { unknown: true };
      if (set.no === 1) return { value: safeNumber(varintOf(set), `${what}: a dimension of '${name}'`) };
      if (set.wire !== 2) throw new FrwError('BAD_INPUT', `${what}: a dim_param of '${name}' has wire type ${set.wire}`);
      return { param: textOf(set) };
    }),
  };
}

/**
 * Replace the payload of the first length-delimited field `no` by `fn` of it. Returns `bytes` itself when `fn`
 * changes nothing, so an edit that does not apply leaves every byte as it was.
 */
export function editFirst(bytes: Uint8Array, no: number, fn: (payload: Uint8Array) => Uint8Array): Uint8Array {
  let done = false;
  return editFields(bytes, readFields(bytes), (f) => {
    if (done || f.no !== no || f.wire !== 2) return undefined;
    done = true;
    const p = fn(f.payload);
    return p === f.payload ? undefined : encodeField(no, 2, p);
  });
}

/** Rewrite the first dimension of a ValueInfoProto's tensor shape (type → tensor_type → shape → first dim). */
export function editFirstDim(valueInfo: Uint8Array, fn: (dim: Uint8Array) => Uint8Array): Uint8Array {
  return editFirst(valueInfo, 2, (type) => editFirst(type, 1, (tensor) => editFirst(tensor, 2, (shape) => editFirst(shape, 1, fn))));
}

/** TensorProto.DataType values that hold real numbers (FLOAT, FLOAT16, DOUBLE, BFLOAT16, the FLOAT8 kinds). */
export const FLOAT_TYPES = new Set([1, 10, 11, 16, 17, 18, 19, 20]);
/** INT8 and UINT8: what quantised models store their weights as. */
export const BYTE_TYPES = new Set([2, 3]);

export interface Initializer {
  /** The TensorProto as read, to edit it in place. */
  field: ProtoField;
  name: string;
  dataType: number;
  dims: number[];
  elements: number;
  /** data_location EXTERNAL: the numbers live in a file beside the model, found relative to its path. */
  external: boolean;
}

export function readInitializers(g: OnnxGraph, what: string): Initializer[] {
  return lenFields(g.fields, GRAPH.initializer, what).map((f) => {
    const t = readFields(f.payload, `${what} (initializer)`);
    const dims = repeatedInts(t, 1, `${what}: initializer dims`);
    if (dims.some((d) => d < 0)) throw new FrwError('BAD_INPUT', `${what}: an initializer has a negative dimension ${JSON.stringify(dims)}`);
    const dt = t.find((x) => x.no === 2 && x.wire === 0);
    const loc = t.find((x) => x.no === 14 && x.wire === 0);
    return {
      field: f,
      name: nameOf(t, 8, what),
      dataType: dt ? Number(varintOf(dt)) : 0,
      dims,
      elements: dims.reduce((a, b) => a * b, 1),
      external: loc ? varintOf(loc) === 1n : false,
    };
  });
}

export interface OnnxNode {
  /** The NodeProto as read, to edit it in place. */
  field: ProtoField;
  op: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  /** Integer attributes (AttributeProto 1 name, 3 i), e.g. Gemm's transA. */
  ints: Map<string, number>;
}

export function readNodes(g: OnnxGraph, what: string): OnnxNode[] {
  return lenFields(g.fields, GRAPH.node, what).map((f) => {
    const n = readFields(f.payload, `${what} (node)`);
    const ints = new Map<string, number>();
    for (const a of lenFields(n, 5, what)) {
      const af = readFields(a.payload, `${what} (attribute)`);
      const i = af.find((x) => x.no === 3 && x.wire === 0);
      if (i) ints.set(nameOf(af, 1, what), safeNumber(varintOf(i), `${what}: attribute`));
    }
    return {
      field: f,
      op: nameOf(n, 4, what),
      domain: nameOf(n, 7, what),
      inputs: lenFields(n, 1, what).map(textOf),
      outputs: lenFields(n, 2, what).map(textOf),
      ints,
    };
  });
}

/** Graph inputs that are real inputs, not initializers (which IR version 3 and older also list as inputs). */
export function realInputs(g: OnnxGraph, what: string): Array<ValueInfo & { field: ProtoField }> {
  const inits = new Set(readInitializers(g, what).map((i) => i.name));
  return lenFields(g.fields, GRAPH.input, what)
    .map((field) => ({ field, ...readValueInfo(field.payload, `${what} (input)`) }))
    .filter((v) => !inits.has(v.name));
}

export function graphOutputs(g: OnnxGraph, what: string): Array<ValueInfo & { field: ProtoField }> {
  return lenFields(g.fields, GRAPH.output, what).map((field) => ({ field, ...readValueInfo(field.payload, `${what} (output)`) }));
}

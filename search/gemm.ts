import ort from 'onnxruntime-node';
import { FrwError } from '../core/errors.js';
import { concatBytes, encodeField, encodeVarint } from '../models/runtime/protobuf.js';

/**
 * Blocks of inner products at BLAS speed: Y = A·Bᵀ through onnxruntime's CPU Gemm, the one optimised matrix product
 * this project already ships (chosen by measurement: bench/all-pairs-vs-numpy.ts; the JS loop of search/dot.ts is
 * ~20× slower on 13,233 × 128, a float32 Gemm 1.6–1.9× faster than this one).
 *
 * Why float64: a product of two float32 is exact in float64, so a float64 Gemm differs from the sequential float64
 * loop of search/dot.ts only in summation order (~1e-16 relative), far below float32's half ulp: rounded to float32
 * it gives the very scores the loop gives (measured: 0 of 847k LFW-sized pairs differ, 128-d and 512-d). A float32
 * Gemm differs in the last bit for most pairs, which would move thresholds and the FMR ≤ 1e-6 tail between runs of
 * the same embeddings computed two ways. Callers therefore keep one score definition: fround(Σ a·b in float64).
 */
export class GemmKernel {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly dim: number,
  ) {}

  /** A session for rows of `dim` columns on `threads` intra-op threads (the evaluation's --threads). */
  static async create(dim: number, threads: number): Promise<GemmKernel> {
    if (!Number.isInteger(dim) || dim < 1) throw new FrwError('BAD_INPUT', `inner products need a positive dimension, got ${dim}`);
    const session = await ort.InferenceSession.create(gemmModel(dim), { intraOpNumThreads: Math.max(1, threads), interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    return new GemmKernel(session, dim);
  }

  /**
   * Row-major `rowsA × rowsB` products of the rows of `a` with the rows of `b` (both row-major, `dim` columns):
   * out[r·rowsB + c] = Σₖ a[r·dim + k]·b[c·dim + k].
   */
  async products(a: Float64Array, b: Float64Array): Promise<Float64Array> {
    const { dim } = this;
    if (a.length % dim !== 0 || b.length % dim !== 0 || a.length === 0 || b.length === 0) {
      throw new FrwError('INTERNAL', `inner products of ${a.length} and ${b.length} values are not whole non-empty rows of ${dim}`);
    }
    const out = await this.session.run({ A: new ort.Tensor('float64', a, [a.length / dim, dim]), B: new ort.Tensor('float64', b, [b.length / dim, dim]) });
    return out.Y.data as Float64Array;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

const utf8 = new TextEncoder();
const text = (no: number, s: string) => encodeField(no, 2, utf8.encode(s));
const int = (no: number, v: number) => encodeField(no, 0, encodeVarint(v));
const message = (no: number, ...parts: Uint8Array[]) => encodeField(no, 2, concatBytes(parts));
/** onnx.proto: TensorProto.DataType.DOUBLE, AttributeProto.AttributeType.INT. */
const DOUBLE = 11;
const ATTRIBUTE_INT = 2;

/** ValueInfoProto { name, type: TypeProto { tensor_type { elem_type: DOUBLE, shape } } }, dims numeric or symbolic. */
function doubleTensor(name: string, dims: Array<number | string>): Uint8Array {
  const shape = dims.map((d) => message(1, typeof d === 'number' ? int(1, d) : text(2, d)));
  return concatBytes([text(1, name), message(2, message(1, int(1, DOUBLE), message(2, ...shape)))]);
}

/** A one-node model: Y[m, n] = Gemm(A[m, dim], B[n, dim], transB = 1), opset 13, written with onnx.proto field numbers. */
export function gemmModel(dim: number): Uint8Array {
  const node = concatBytes([text(1, 'A'), text(1, 'B'), text(2, 'Y'), text(4, 'Gemm'), message(5, text(1, 'transB'), int(3, 1), int(20, ATTRIBUTE_INT))]);
  const graph = concatBytes([message(1, node), text(2, 'inner-products'), message(11, doubleTensor('A', ['m', dim])), message(11, doubleTensor('B', ['n', dim])), message(12, doubleTensor('Y', ['m', 'n']))]);
  // ModelProto { ir_version: 8, graph, opset_import { domain: "", version: 13 } }
  return concatBytes([int(1, 8), message(7, graph), message(8, text(1, ''), int(2, 13))]);
}

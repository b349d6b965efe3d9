/**
 * What every inference runtime (onnxruntime-node, TensorFlow.js) looks like to the stages above it: named float32
 * tensors in, named float32 tensors out. Models differ by card, not by subclass; runtimes differ only here.
 */
export interface TensorInfo {
  name: string;
  /** Declared shape; a string or -1 marks a free (symbolic) dimension. */
  shape: Array<number | string>;
}

export interface FloatTensor {
  data: Float32Array;
  dims: number[];
}

export type RuntimeKind = 'onnxruntime-node' | 'tfjs-wasm' | 'tfjs-node';

export interface InferenceSession {
  readonly runtime: RuntimeKind;
  readonly inputs: TensorInfo[];
  readonly outputs: TensorInfo[];
  /** Run the model on named inputs; returns the requested outputs (all when `outputNames` is omitted). */
  run(feeds: Record<string, FloatTensor>, outputNames?: string[]): Promise<Record<string, FloatTensor>>;
  dispose(): Promise<void>;
}

export interface SessionOptions {
  /** Threads the runtime may use for one inference. */
  threads: number;
  /**
   * ONNX only: free a declared batch of 1 when a load-time check proves it safe (default false: on CPU it does not
   * pay; see models/runtime/onnx.ts).
   */
  freeBatch?: boolean;
}

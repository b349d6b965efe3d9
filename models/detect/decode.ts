import type { FloatTensor } from '../runtime/types.js';
import type { Detection } from './types.js';
import { FrwError } from '../../core/errors.js';

/**
 * Raw-output decoders for the detector families we ship. They work in the detector's input pixels (the letterboxed
 * tensor); the caller maps results back to the image. Both families predict on strides 8/16/32 over the input.
 */
export interface DecodeParams {
  inputWidth: number;
  inputHeight: number;
  scoreThreshold: number;
}

const STRIDES = [8, 16, 32] as const;

/**
 * SCRFD (InsightFace) "bnkps" heads: per stride, scores [N,1] (already sigmoid), box distances [N,4] and keypoint
 * offsets [N,10], both in units of the stride, for `anchorsPerCell` anchors per grid cell (row-major cells, each
 * cell's anchors consecutive). Outputs are recognised by shape, not name: exports name them differently.
 */
export function decodeScrfd(outputs: FloatTensor[], p: DecodeParams, anchorsPerCell = 2): Detection[] {
  const byStride = STRIDES.map((s) => {
    const n = Math.ceil(p.inputHeight / s) * Math.ceil(p.inputWidth / s) * anchorsPerCell;
    const pick = (last: number): Float32Array => {
      const t = outputs.find((o) => o.dims[o.dims.length - 1] === last && o.data.length === n * last);
      if (!t) throw new FrwError('MODEL_MISMATCH', `SCRFD output for stride ${s} with last dim ${last} and ${n} anchors not found`, { dims: outputs.map((o) => o.dims) });
      return t.data;
    };
    return { s, n, scores: pick(1), boxes: pick(4), kps: pick(10) };
  });
  const dets: Detection[] = [];
  for (const { s, n, scores, boxes, kps } of byStride) {
    const cols = Math.ceil(p.inputWidth / s);
    for (let i = 0; i < n; i++) {
      const score = scores[i];
      if (score < p.scoreThreshold) continue;
      const cell = Math.floor(i / anchorsPerCell);
      const cx = (cell % cols) * s;
      const cy = Math.floor(cell / cols) * s;
      const b = i * 4;
      const k = i * 10;
      dets.push({
        score,
        box: { x1: cx - boxes[b] * s, y1: cy - boxes[b + 1] * s, x2: cx + boxes[b + 2] * s, y2: cy + boxes[b + 3] * s },
        landmarks: [0, 1, 2, 3, 4].map((j) => ({ x: cx + kps[k + 2 * j] * s, y: cy + kps[k + 2 * j + 1] * s })),
      });
    }
  }
  return dets;
}

/**
 * YuNet (libfacedetection, 2023 ONNX): per stride, cls and obj [N,1], bbox [N,4] as (dx, dy, log w, log h) in
 * stride units from the cell's corner, kps [N,10] offsets from the cell's corner. Score = sqrt(cls * obj), each
 * clamped to [0,1], as OpenCV's FaceDetectorYN computes it. One prediction per cell.
 */
export function decodeYunet(named: Record<string, FloatTensor>, p: DecodeParams): Detection[] {
  const dets: Detection[] = [];
  for (const s of STRIDES) {
    const get = (k: string): Float32Array => {
      const t = named[`${k}_${s}`];
      if (!t) throw new FrwError('MODEL_MISMATCH', `YuNet output ${k}_${s} not found`, { outputs: Object.keys(named) });
      return t.data;
    };
    const cls = get('cls');
    const obj = get('obj');
    const bbox = get('bbox');
    const kps = get('kps');
    const cols = Math.floor(p.inputWidth / s);
    const clamp = (v: number) => Math.min(1, Math.max(0, v));
    for (let i = 0; i < cls.length; i++) {
      const score = Math.sqrt(clamp(cls[i]) * clamp(obj[i]));
      if (score < p.scoreThreshold) continue;
      const c = i % cols;
      const r = Math.floor(i / cols);
      const cx = (c + bbox[4 * i]) * s;
      const cy = (r + bbox[4 * i + 1]) * s;
      const w = Math.exp(bbox[4 * i + 2]) * s;
      const h = Math.exp(bbox[4 * i + 3]) * s;
      dets.push({
        score,
        box: { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 },
        landmarks: [0, 1, 2, 3, 4].map((j) => ({ x: (kps[10 * i + 2 * j] + c) * s, y: (kps[10 * i + 2 * j + 1] + r) * s })),
      });
    }
  }
  return dets;
}

import type { RgbImage } from '../datasets/image.js';
import type { Point } from './detect/types.js';
import { FrwError } from '../core/errors.js';

/** The five-point ArcFace template for a 112×112 crop (InsightFace `arcface_dst`). */
export const ARCFACE_TEMPLATE_112: readonly Point[] = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
];

/** x' = a·x − b·y + tx, y' = b·x + a·y + ty: rotation, uniform scale and translation (no shear, no mirror). */
export interface SimilarityTransform {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

export const applyTransform = (t: SimilarityTransform, p: Point): Point => ({
  x: t.a * p.x - t.b * p.y + t.tx,
  y: t.b * p.x + t.a * p.y + t.ty,
});

/**
 * Least-squares similarity transform mapping `src` onto `dst` (Umeyama 1991, closed form for 2-D without
 * reflection), as skimage's SimilarityTransform.estimate does for InsightFace's norm_crop.
 */
export function estimateSimilarity(src: readonly Point[], dst: readonly Point[]): SimilarityTransform {
  const n = src.length;
  if (n < 2 || dst.length !== n) throw new FrwError('BAD_INPUT', `need matching point sets of size >= 2, got ${n} and ${dst.length}`);
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i].x; sy += src[i].y; dx += dst[i].x; dy += dst[i].y;
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  // With centred points, the optimal a, b minimise Σ|R·s − d|²: a = Σ(s·d)/Σ|s|², b = Σ(s×d)/Σ|s|².
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i].x - sx, py = src[i].y - sy;
    const qx = dst[i].x - dx, qy = dst[i].y - dy;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm < 1e-9) throw new FrwError('BAD_INPUT', 'landmarks are degenerate (all at one point)');
  const a = dot / norm;
  const b = cross / norm;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

export function invertTransform(t: SimilarityTransform): SimilarityTransform {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d;
  const b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

export interface AlignOptions {
  /** Output crop size in pixels (square). The template scales with it: 112 is the ArcFace size. */
  size: number;
  /** Extra margin as a fraction of the crop on each side (0 = the plain ArcFace crop). */
  margin: number;
}

export const ARCFACE_ALIGN: AlignOptions = { size: 112, margin: 0 };

/** Template points for a crop of `size` with `margin`: the 112 template scaled, then shrunk toward the centre. */
export function templateFor(opts: AlignOptions): Point[] {
  const s = opts.size / 112 / (1 + 2 * opts.margin);
  const off = opts.size * opts.margin / (1 + 2 * opts.margin);
  return ARCFACE_TEMPLATE_112.map((p) => ({ x: p.x * s + off, y: p.y * s + off }));
}

/**
 * Warp the face to the template: each output pixel is sampled bilinearly at the inverse-mapped source position;
 * outside the image reads black (0), as cv2.warpAffine's constant border does.
 */
export function alignFace(img: RgbImage, landmarks: readonly Point[], opts: AlignOptions = ARCFACE_ALIGN): RgbImage {
  const inv = invertTransform(estimateSimilarity(landmarks, templateFor(opts)));
  return warpAffine(img, inv, opts.size, opts.size);
}

/**
 * out(x, y) = bilinear sample of `img` at inv(x, y). Samples outside the image read black (cv2.warpAffine's
 * constant border). Hot: runs once per face, so the inner loop avoids closures and allocations.
 */
export function warpAffine(img: RgbImage, inv: SimilarityTransform, outW: number, outH: number): RgbImage {
  const out = new Uint8Array(outW * outH * 3);
  const { width: w, height: h, data } = img;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const sx = inv.a * x - inv.b * y + inv.tx;
      const sy = inv.b * x + inv.a * y + inv.ty;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) continue; // all four neighbours outside: stays black
      const fx = sx - x0;
      const fy = sy - y0;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const in00 = x0 >= 0 && y0 >= 0;
      const in10 = x0 + 1 < w && y0 >= 0;
      const in01 = x0 >= 0 && y0 + 1 < h;
      const in11 = x0 + 1 < w && y0 + 1 < h;
      const p00 = (y0 * w + x0) * 3;
      const p01 = p00 + w * 3;
      const o = (y * outW + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v =
          (in00 ? w00 * data[p00 + c] : 0) +
          (in10 ? w10 * data[p00 + 3 + c] : 0) +
          (in01 ? w01 * data[p01 + c] : 0) +
          (in11 ? w11 * data[p01 + 3 + c] : 0);
        out[o + c] = Math.round(v);
      }
    }
  }
  return { width: outW, height: outH, data: out };
}

/** Horizontal mirror, for flip test-time augmentation. */
export function mirror(img: RgbImage): RgbImage {
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 3;
      const d = (y * w + (w - 1 - x)) * 3;
      out[d] = data[s]; out[d + 1] = data[s + 1]; out[d + 2] = data[s + 2];
    }
  }
  return { width: w, height: h, data: out };
}

import sharp from 'sharp';
import type { RgbImage } from '../datasets/image.js';
import type { PixelSpec } from './card.js';

/**
 * Write `img` into `out` at `offset` as one image of a batch: (pixel − mean)/std per channel, channels reordered
 * to the card's order, laid out NCHW or NHWC. One pass, no intermediate arrays: this runs once per face.
 */
export function writePixels(img: RgbImage, spec: PixelSpec, out: Float32Array, offset: number): void {
  const { width: w, height: h, data } = img;
  const n = w * h;
  const src = spec.channelOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const [m0, m1, m2] = spec.mean;
  const [s0, s1, s2] = [1 / spec.std[0], 1 / spec.std[1], 1 / spec.std[2]];
  if (spec.layout === 'NCHW') {
    for (let i = 0; i < n; i++) {
      const p = i * 3;
      out[offset + i] = (data[p + src[0]] - m0) * s0;
      out[offset + n + i] = (data[p + src[1]] - m1) * s1;
      out[offset + 2 * n + i] = (data[p + src[2]] - m2) * s2;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const p = i * 3;
      out[offset + p] = (data[p + src[0]] - m0) * s0;
      out[offset + p + 1] = (data[p + src[1]] - m1) * s1;
      out[offset + p + 2] = (data[p + src[2]] - m2) * s2;
    }
  }
}

/** Resize with libvips (area-averaging when shrinking, so no aliasing), off the JS thread. */
export async function resizeRgb(img: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (img.width === width && img.height === height) return img;
  const buf = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize({ width, height, fit: 'fill' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(buf.buffer, buf.byteOffset, buf.length) };
}

export interface Letterbox {
  /** Network input pixels per image pixel. */
  scale: number;
  tensor: Float32Array;
}

/**
 * Fit the image inside width×height keeping its aspect ratio, anchored top-left (as InsightFace does), pad with
 * what a zero pixel normalises to, and return the normalised tensor with the scale to map detections back.
 */
export async function letterbox(img: RgbImage, width: number, height: number, spec: PixelSpec): Promise<Letterbox> {
  const scale = Math.min(width / img.width, height / img.height);
  const nw = Math.max(1, Math.min(width, Math.round(img.width * scale)));
  const nh = Math.max(1, Math.min(height, Math.round(img.height * scale)));
  // Shrinking by more than 2× needs area averaging (libvips) to avoid aliasing; otherwise bilinear in JS is
  // several times cheaper than a round trip through sharp.
  const resized = scale < 0.5 ? await resizeRgb(img, nw, nh) : bilinearResize(img, nw, nh);
  const canvas = new Uint8Array(width * height * 3);
  for (let y = 0; y < nh; y++) canvas.set(resized.data.subarray(y * nw * 3, (y + 1) * nw * 3), y * width * 3);
  const tensor = new Float32Array(width * height * 3);
  writePixels({ width, height, data: canvas }, spec, tensor, 0);
  return { scale, tensor };
}

/** Bilinear resize with pixel-centre alignment (as cv2.INTER_LINEAR), edges clamped; 11-bit fixed-point weights. */
export function bilinearResize(img: RgbImage, outW: number, outH: number): RgbImage {
  if (img.width === outW && img.height === outH) return img;
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(outW * outH * 3);
  const ONE = 2048;
  // Column taps are the same for every row: compute them once.
  const xa = new Int32Array(outW);
  const xb = new Int32Array(outW);
  const xf = new Int32Array(outW);
  for (let x = 0; x < outW; x++) {
    const sx = Math.min(Math.max((x + 0.5) * (w / outW) - 0.5, 0), w - 1);
    const x0 = Math.floor(sx);
    xa[x] = x0 * 3;
    xb[x] = Math.min(x0 + 1, w - 1) * 3;
    xf[x] = Math.round((sx - x0) * ONE);
  }
  for (let y = 0; y < outH; y++) {
    const sy = Math.min(Math.max((y + 0.5) * (h / outH) - 0.5, 0), h - 1);
    const y0 = Math.floor(sy);
    const r0 = y0 * w * 3;
    const r1 = Math.min(y0 + 1, h - 1) * w * 3;
    const fy = Math.round((sy - y0) * ONE);
    let o = y * outW * 3;
    for (let x = 0; x < outW; x++) {
      const a = xa[x];
      const b = xb[x];
      const fx = xf[x];
      for (let k = 0; k < 3; k++, o++) {
        const top = data[r0 + a + k] * ONE + (data[r0 + b + k] - data[r0 + a + k]) * fx;
        const bot = data[r1 + a + k] * ONE + (data[r1 + b + k] - data[r1 + a + k]) * fx;
        out[o] = (top * ONE + (bot - top) * fy + (ONE * ONE) / 2) / (ONE * ONE);
      }
    }
  }
  return { width: outW, height: outH, data: out };
}

import path from 'node:path';
import sharp from 'sharp';
import { FrwError } from '../core/errors.js';
import { decodeImage, type DecodeOptions } from '../datasets/image.js';
import type { ImageRecord } from '../datasets/manifest.js';
import { EmbeddingCache, type CachedFace } from './embedding-cache.js';
import { alignFace, type AlignOptions } from '../models/align.js';
import { resizeRgb } from '../models/tensor.js';

/** The pipeline settings a run records (run.json models[].settings) that say how a face was cut out. */
export interface FaceSettings {
  decode: DecodeOptions;
  embedder: { alignment: AlignOptions };
  /** null for pre-aligned pipelines (the image is the crop). */
  detector: unknown;
}

export type FaceView = 'aligned' | 'context';

const OPEN_CACHES = 4;

/**
 * What a model saw of an image in a run: the aligned crop, rebuilt from the landmarks its embedding cache kept
 * (the same decode, working resolution and template), or the whole photo with the chosen face boxed, so a
 * wrong face in a group photo shows at a glance. No detector runs here.
 */
export class RunFaces {
  private readonly caches = new Map<string, EmbeddingCache>();

  async jpeg(image: { record: Pick<ImageRecord, 'sha256' | 'path'>; file: string }, cacheDir: string, settings: FaceSettings, view: FaceView, size: number): Promise<Buffer> {
    const face = this.face(cacheDir, image.record.sha256, image.record.path);
    const dec = await decodeImage(image.file, settings.decode);
    if (view === 'context') return contextJpeg(dec.image, face, dec.scale, size);
    const align = settings.embedder.alignment;
    const crop = settings.detector && face.landmarks ? alignFace(dec.image, face.landmarks.map((p) => ({ x: p.x * dec.scale, y: p.y * dec.scale })), align) : await resizeRgb(dec.image, align.size, align.size);
    return sharp(crop.data, { raw: { width: crop.width, height: crop.height, channels: 3 } }).resize(size, size).jpeg({ quality: 88 }).toBuffer();
  }

  private face(cacheDir: string, sha256: string, imagePath: string): CachedFace {
    let cache = this.caches.get(cacheDir);
    // A view opened before a later run added images is reopened once on a miss.
    if (!cache?.get(sha256)) {
      cache = EmbeddingCache.openForRead(cacheDir);
      this.caches.delete(cacheDir);
      this.caches.set(cacheDir, cache);
      if (this.caches.size > OPEN_CACHES) this.caches.delete(this.caches.keys().next().value!);
    }
    const e = cache.get(sha256);
    if (!e) throw new FrwError('NOT_FOUND', `${imagePath} is not in this run's embedding cache (${path.basename(cacheDir)})`);
    if (e.status === 'failed') throw new FrwError('NOT_FOUND', `no face was acquired from ${imagePath}: ${e.reason} (${e.message})`);
    return e.face;
  }
}

/** The photo scaled to `size` on its long side, the chosen face's box drawn on it. */
async function contextJpeg(img: { width: number; height: number; data: Uint8Array }, face: CachedFace, decodeScale: number, size: number): Promise<Buffer> {
  const k = size / Math.max(img.width, img.height);
  const w = Math.max(1, Math.round(img.width * k));
  const h = Math.max(1, Math.round(img.height * k));
  const base = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).resize(w, h);
  if (!face.box) return base.jpeg({ quality: 85 }).toBuffer();
  const s = decodeScale * k; // cached boxes are in original pixels
  const b = face.box;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect x="${b.x1 * s}" y="${b.y1 * s}" width="${(b.x2 - b.x1) * s}" height="${(b.y2 - b.y1) * s}" fill="none" stroke="#ffd400" stroke-width="${Math.max(2, size / 90)}"/></svg>`;
  const boxed = await base.raw().toBuffer({ resolveWithObject: true });
  return sharp(boxed.data, { raw: boxed.info }).composite([{ input: Buffer.from(svg) }]).jpeg({ quality: 85 }).toBuffer();
}

import type { DatasetManifest } from '../datasets/manifest.js';
import { EmbeddingCache } from './embedding-cache.js';

/**
 * Where the chosen face of each image was, as the embedding cache recorded it (original image pixels), in typed
 * arrays indexed like the manifest: what an audit needs to call a face tiny or turned away without running a
 * detector again. NaN where the cache holds no face (a failure to acquire, a pre-aligned pipeline).
 */
export interface FaceGeometry {
  /** n × 10: the five landmarks x0, y0, … x4, y4 in the ArcFace order (eyes, nose tip, mouth corners). */
  landmarks: Float32Array;
  /** n × 4: x1, y1, x2, y2 of the chosen face's box. */
  boxes: Float32Array;
  /** The cache's message for each failure to acquire (null elsewhere): what the detector or decoder said. */
  failureMessage: Array<string | null>;
}

export function loadFaceGeometry(manifest: DatasetManifest, cacheDir: string): FaceGeometry {
  const cache = EmbeddingCache.openForRead(cacheDir);
  const n = manifest.images.length;
  const landmarks = new Float32Array(n * 10).fill(NaN);
  const boxes = new Float32Array(n * 4).fill(NaN);
  const failureMessage: Array<string | null> = new Array(n).fill(null);
  manifest.images.forEach((img, i) => {
    const e = img.sha256 ? cache.get(img.sha256) : undefined;
    if (e?.status === 'failed') failureMessage[i] = e.message;
    if (e?.status !== 'ok') return;
    const { box, landmarks: lm } = e.face;
    if (box) boxes.set([box.x1, box.y1, box.x2, box.y2], i * 4);
    if (lm?.length === 5) lm.forEach((p, k) => landmarks.set([p.x, p.y], i * 10 + 2 * k));
  });
  return { landmarks, boxes, failureMessage };
}

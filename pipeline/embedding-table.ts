import type { FailureReason } from '../core/failures.js';
import type { DatasetManifest } from '../datasets/manifest.js';
import type { FaceQuality } from '../models/acquire.js';
import { EmbeddingCache } from './embedding-cache.js';

/**
 * The embeddings of one dataset under one pipeline, as one row-major matrix: row i belongs to manifest image i.
 * Rows of images without a face are zero and flagged, so indices never shift and failures stay visible.
 */
export interface EmbeddingTable {
  dim: number;
  /** manifest.images.length × dim, unit rows where `ok[i]`. */
  vectors: Float32Array;
  ok: Uint8Array;
  /** Why row i has no embedding (null where ok). Missing = not yet embedded: run `frw embed` first. */
  failure: Array<FailureReason | 'missing' | null>;
  quality: Array<FaceQuality | null>;
  faceCount: Int32Array;
}

export function loadEmbeddingTable(manifest: DatasetManifest, cacheDir: string, dim: number): EmbeddingTable {
  const cache = EmbeddingCache.openForRead(cacheDir);
  const n = manifest.images.length;
  const vectors = new Float32Array(n * dim);
  const ok = new Uint8Array(n);
  const failure: EmbeddingTable['failure'] = new Array(n).fill(null);
  const quality: EmbeddingTable['quality'] = new Array(n).fill(null);
  const faceCount = new Int32Array(n);
  const problems = new Map(manifest.problems.map((p) => [p.path, p.kind]));
  manifest.images.forEach((img, i) => {
    const e = img.sha256 ? cache.get(img.sha256) : undefined;
    if (e?.status === 'ok') {
      vectors.set(e.vector, i * dim);
      ok[i] = 1;
      quality[i] = e.face.quality;
      faceCount[i] = e.face.faceCount;
    } else if (e?.status === 'failed') failure[i] = e.reason;
    else failure[i] = img.sha256 ? 'missing' : ((problems.get(img.path) as FailureReason | undefined) ?? 'unreadable');
  });
  return { dim, vectors, ok, failure, quality, faceCount };
}

/** Cosine similarity of rows i and j (rows are unit vectors). */
export function rowDot(t: EmbeddingTable, i: number, j: number): number {
  const { vectors: v, dim } = t;
  let s = 0;
  const a = i * dim;
  const b = j * dim;
  for (let k = 0; k < dim; k++) s += v[a + k] * v[b + k];
  return s;
}

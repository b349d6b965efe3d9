import { oneOf } from '../core/choice.js';
import { faissIndex } from './faiss.js';
import { exactIndex, type VectorIndex } from './vector-index.js';

/** Search indexes by name: the exact TypeScript reference, and FAISS (flat = exact, ivf and hnsw approximate). */
export const INDEX_KINDS = ['exact', 'flat', 'ivf', 'hnsw'] as const;
export type IndexKind = (typeof INDEX_KINDS)[number];

/** Builds the index a gallery is searched with (gallery rows, row-major unit vectors). */
export type IndexFactory = (vectors: Float32Array, dim: number) => VectorIndex | Promise<VectorIndex>;

export async function createIndexFactory(kind: IndexKind): Promise<IndexFactory> {
  const k = oneOf(INDEX_KINDS, kind, 'index');
  if (k === 'exact') return (vectors, dim) => exactIndex(vectors, dim);
  return (vectors, dim) => faissIndex(k, vectors, dim);
}

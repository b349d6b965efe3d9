import { FrwError } from '../core/errors.js';
import type { IndexFactory } from '../experiments/identification/evaluate.js';
import { faissIndex } from './faiss.js';
import { exactIndex } from './vector-index.js';

/** Search indexes by name: the exact TypeScript reference, and FAISS (flat = exact, ivf and hnsw approximate). */
export const INDEX_KINDS = ['exact', 'flat', 'ivf', 'hnsw'] as const;

export async function createIndexFactory(kind: string): Promise<IndexFactory> {
  if (kind === 'exact') return (vectors, dim) => exactIndex(vectors, dim);
  if (kind === 'flat' || kind === 'ivf' || kind === 'hnsw') return (vectors, dim) => faissIndex(kind, vectors, dim);
  throw new FrwError('BAD_INPUT', `unknown index "${kind}"; use ${INDEX_KINDS.join(', ')}`);
}

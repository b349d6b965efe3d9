import { FrwError } from '../../core/errors.js';
import type { IndexFactory } from './evaluate.js';
import { exactIndex } from './search.js';

/** Search indexes by name: the exact TypeScript reference, and FAISS ones when faiss-node is built. */
export const INDEX_KINDS = ['exact'] as const;

export async function createIndexFactory(kind: string): Promise<IndexFactory> {
  if (kind === 'exact') return (vectors, dim) => exactIndex(vectors, dim);
  throw new FrwError('BAD_INPUT', `unknown index "${kind}"; use ${INDEX_KINDS.join(', ')}`);
}

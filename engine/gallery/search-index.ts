import { faissIndex } from '../../search/faiss.js';
import { aggregate, qualityWeight, type Gallery } from '../../search/templates.js';
import { exactIndex, type VectorIndex } from '../../search/vector-index.js';
import type { DeployConfig } from '../deploy-config.js';
import type { StoredIdentity } from './types.js';

/** A replica's search index over its mirrored gallery, built the way its config says (aggregation, search). */
export interface GalleryIndex {
  search: VectorIndex;
  gallery: Gallery;
  /** The store's id of each gallery identity, by the gallery's identity index. */
  ids: number[];
}

/**
 * Templates per person by the config's aggregation (quality-weighted as in tuning), then FAISS flat or the exact
 * index over them. Rebuilt whole when the gallery or the config changes: O(gallery) per change, measured in the
 * README's sizing table (bench/engine-replicas.ts).
 */
export function buildGalleryIndex(people: readonly StoredIdentity[], config: DeployConfig): GalleryIndex {
  const dim = config.model.output.dim;
  const rows: Float32Array[] = [];
  const owner: number[] = [];
  people.forEach((p, gi) => {
    for (const v of aggregate(p.vectors.map((x) => x.vector), p.vectors.map((x) => qualityWeight(x.quality)), config.aggregation)) {
      rows.push(v);
      owner.push(gi);
    }
  });
  const vectors = new Float32Array(rows.length * dim);
  rows.forEach((v, k) => vectors.set(v, k * dim));
  const gallery: Gallery = { mode: config.aggregation, dim, vectors, owner: Int32Array.from(owner), identities: people.map((p) => p.name), skippedImages: 0, unenrolled: [] };
  const search = rows.length === 0 ? exactIndex(vectors, dim) : config.search === 'flat' ? faissIndex('flat', vectors, dim) : exactIndex(vectors, dim);
  return { search, gallery, ids: people.map((p) => p.id) };
}

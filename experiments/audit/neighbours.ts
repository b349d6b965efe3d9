import type { IndexFactory } from '../../search/indexes.js';
import type { AuditGroups, Templates } from './groups.js';

/**
 * The two searches an audit makes, through a search index (FAISS flat or the exact TypeScript reference) rather
 * than a JS loop over all pairs: each image against every group's template, and each image against every image.
 * Queries go in blocks so the result buffers stay small.
 */
const BLOCK = 2048;

/** Rows `rows` of a row-major matrix, packed. */
function pack(vectors: Float32Array, dim: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let r = 0; r < rows.length; r++) out.set(vectors.subarray(rows[r] * dim, (rows[r] + 1) * dim), r * dim);
  return out;
}

/** Per image, the template nearest to it among the other groups (its own group left out). */
export interface NearestOther {
  /** Group index, -1 where the image has no embedding or no other group exists. */
  group: Int32Array;
  /** Cosine similarity to that group's template (NaN where group is -1). */
  similarity: Float32Array;
}

export async function nearestOtherGroup(vectors: Float32Array, dim: number, ok: Uint8Array, groups: AuditGroups, templates: Templates, makeIndex: IndexFactory): Promise<NearestOther> {
  const n = ok.length;
  const group = new Int32Array(n).fill(-1);
  const similarity = new Float32Array(n).fill(NaN);
  const rowGroup = Int32Array.from({ length: templates.has.length }, (_, g) => g).filter((g) => templates.has[g]);
  const queries = Int32Array.from({ length: n }, (_, i) => i).filter((i) => ok[i]);
  if (rowGroup.length < 2 || queries.length === 0) return { group, similarity };
  const index = await makeIndex(pack(templates.vectors, dim, rowGroup), dim);
  // The own template is at most one of the hits, so the best of two rows that is not it is the nearest other.
  for (let q0 = 0; q0 < queries.length; q0 += BLOCK) {
    const block = queries.subarray(q0, q0 + BLOCK);
    const hits = index.search(pack(vectors, dim, block), 2);
    block.forEach((img, q) => {
      for (let j = 0; j < hits.k; j++) {
        const row = hits.rows[q * hits.k + j];
        if (row < 0 || rowGroup[row] === groups.groupOf[img]) continue;
        group[img] = rowGroup[row];
        similarity[img] = hits.scores[q * hits.k + j];
        break;
      }
    });
  }
  return { group, similarity };
}

/** Each embedded image's k most similar other images, best first: rows `i*k .. i*k+k` (−1 / NaN past the end). */
export interface ImageNeighbours {
  k: number;
  image: Int32Array;
  similarity: Float32Array;
}

export async function imageNeighbours(vectors: Float32Array, dim: number, ok: Uint8Array, k: number, makeIndex: IndexFactory): Promise<ImageNeighbours> {
  const n = ok.length;
  const image = new Int32Array(n * k).fill(-1);
  const similarity = new Float32Array(n * k).fill(NaN);
  const rows = Int32Array.from({ length: n }, (_, i) => i).filter((i) => ok[i]);
  if (rows.length < 2 || k < 1) return { k, image, similarity };
  const packed = pack(vectors, dim, rows);
  const index = await makeIndex(packed, dim);
  // One row more than asked: the image itself is among the hits (not always first: an exact copy ties with it).
  const kk = k + 1;
  for (let q0 = 0; q0 < rows.length; q0 += BLOCK) {
    const count = Math.min(BLOCK, rows.length - q0);
    const hits = index.search(packed.subarray(q0 * dim, (q0 + count) * dim), kk);
    for (let q = 0; q < count; q++) {
      const self = rows[q0 + q];
      let m = 0;
      for (let j = 0; j < hits.k && m < k; j++) {
        const row = hits.rows[q * hits.k + j];
        if (row < 0 || rows[row] === self) continue;
        image[self * k + m] = rows[row];
        similarity[self * k + m] = hits.scores[q * hits.k + j];
        m++;
      }
    }
  }
  return { k, image, similarity };
}

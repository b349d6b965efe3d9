import { dot } from '../../search/dot.js';
import type { IndexFactory } from '../../search/indexes.js';
import type { AuditGroups, Templates } from './groups.js';
import type { ImageNeighbours } from './neighbours.js';

/**
 * Identities that are probably one person under two names (or a stranger filed as "unknown" who is an enrolled
 * person). Candidates are the pairs either search puts side by side: each template's `templateK` nearest
 * templates, and the identities of each image's nearest images. Every candidate is then measured exactly: the
 * cosine of the two templates, and the closest pair of their images (every image of one against every image of
 * the other). Pairs that neither search brings up are neither alike as wholes nor in any one photo.
 */
export interface IdentityPairRow {
  /** Audit groups, a < b. */
  a: number;
  b: number;
  /** Embedded images of each. */
  imagesA: number;
  imagesB: number;
  /** Cosine of the two templates (normalised means). */
  templateSimilarity: number;
  /** The most similar image pair across the two (manifest indices). */
  closest: { similarity: number; imageA: number; imageB: number };
  /** One side is an unknown image: a stranger who may be an enrolled person. */
  unknownSide: boolean;
  /** templateSimilarity ≥ the level (see findIdentityPairs). */
  flagged: boolean;
}

/** Every flagged pair, then unflagged ones up to `top` in all; by template similarity, then closest pair. */
export interface RankedPairs {
  flaggedCount: number;
  ranked: IdentityPairRow[];
}

export interface IdentityPairFindings {
  /** The flag level: templates at least this alike. */
  level: number;
  /** Candidate pairs measured. */
  candidates: number;
  /** Two enrolled identities: one person under two names (merge them). */
  known: RankedPairs;
  /**
   * An unknown image and an identity (a stranger who is an enrolled person: relabel it), or two unknown images
   * (one stranger counted twice). Apart from `known` because what it asks of the user differs.
   */
  unknown: RankedPairs;
}

export interface IdentityPairOptions {
  level: number;
  top: number;
  /** Nearest templates asked of each template. */
  templateK: number;
}

function closestPair(vectors: Float32Array, dim: number, a: Int32Array, b: Int32Array): IdentityPairRow['closest'] {
  let best = { similarity: -Infinity, imageA: -1, imageB: -1 };
  for (const i of a) for (const j of b) {
    const s = dot(vectors, i * dim, vectors, j * dim, dim);
    if (s > best.similarity) best = { similarity: s, imageA: i, imageB: j };
  }
  return best;
}

export async function findIdentityPairs(vectors: Float32Array, dim: number, ok: Uint8Array, groups: AuditGroups, templates: Templates, nb: ImageNeighbours, makeIndex: IndexFactory, opts: IdentityPairOptions): Promise<IdentityPairFindings> {
  const nG = groups.names.length;
  const candidates = new Set<number>();
  const add = (g: number, h: number) => {
    if (g !== h && g >= 0 && h >= 0) candidates.add(Math.min(g, h) * nG + Math.max(g, h));
  };
  const rowGroup = Int32Array.from({ length: nG }, (_, g) => g).filter((g) => templates.has[g]);
  if (rowGroup.length >= 2) {
    const packed = new Float32Array(rowGroup.length * dim);
    rowGroup.forEach((g, r) => packed.set(templates.vectors.subarray(g * dim, (g + 1) * dim), r * dim));
    const index = await makeIndex(packed, dim);
    const k = Math.min(opts.templateK + 1, rowGroup.length);
    for (let q0 = 0; q0 < rowGroup.length; q0 += 2048) {
      const count = Math.min(2048, rowGroup.length - q0);
      const hits = index.search(packed.subarray(q0 * dim, (q0 + count) * dim), k);
      for (let q = 0; q < count; q++) for (let j = 0; j < hits.k; j++) if (hits.rows[q * hits.k + j] >= 0) add(rowGroup[q0 + q], rowGroup[hits.rows[q * hits.k + j]]);
    }
  }
  for (let i = 0; i < ok.length; i++) {
    for (let m = 0; m < nb.k; m++) {
      const j = nb.image[i * nb.k + m];
      if (j >= 0) add(groups.groupOf[i], groups.groupOf[j]);
    }
  }
  // The embedded members of each group, for the exact closest pair.
  const embedded = (g: number) => groups.members.subarray(groups.start[g], groups.start[g + 1]).filter((i) => ok[i]);
  const rows: IdentityPairRow[] = [];
  for (const key of candidates) {
    const a = Math.floor(key / nG);
    const b = key % nG;
    const ma = embedded(a);
    const mb = embedded(b);
    if (ma.length === 0 || mb.length === 0) continue;
    const templateSimilarity = dot(templates.vectors, a * dim, templates.vectors, b * dim, dim);
    rows.push({ a, b, imagesA: ma.length, imagesB: mb.length, templateSimilarity, closest: closestPair(vectors, dim, ma, mb), unknownSide: Boolean(groups.unknown[a] || groups.unknown[b]), flagged: templateSimilarity >= opts.level });
  }
  rows.sort((x, y) => y.templateSimilarity - x.templateSimilarity || y.closest.similarity - x.closest.similarity || x.a - y.a || x.b - y.b);
  const rank = (list: IdentityPairRow[]): RankedPairs => {
    const flaggedCount = list.filter((r) => r.flagged).length;
    return { flaggedCount, ranked: list.slice(0, Math.max(flaggedCount, opts.top)) };
  };
  return { level: opts.level, candidates: rows.length, known: rank(rows.filter((r) => !r.unknownSide)), unknown: rank(rows.filter((r) => r.unknownSide)) };
}

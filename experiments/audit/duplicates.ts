import type { ImageRecord } from '../../datasets/manifest.js';
import type { AuditGroups } from './groups.js';
import type { ImageNeighbours } from './neighbours.js';

/**
 * Copies of one photo in a set: `exact` when the files' bytes are equal (sha256 from the manifest), `near` when
 * their embeddings are at least `level` alike without the bytes being equal (a re-encode, a crop, a resize).
 * A copy under two labels is a label error or a leak between a gallery and its probes; under one label it still
 * inflates genuine scores. An unknown is its own label, so a copy with an unknown side always differs.
 */
export const DUPLICATE_KINDS = ['exact', 'near'] as const;
export type DuplicateKind = (typeof DUPLICATE_KINDS)[number];

export interface DuplicateGroup {
  kind: DuplicateKind;
  /** Manifest indices, ascending. */
  images: number[];
  /** The distinct audit groups (identities, or unknown images) the copies carry. */
  groups: number[];
  /** More than one label among the copies. */
  differentLabels: boolean;
  /** Lowest and highest similarity over the pairs that joined the group (1 for exact copies). */
  similarity: { min: number; max: number };
}

const byFlagThenSize = (a: DuplicateGroup, b: DuplicateGroup) =>
  Number(b.differentLabels) - Number(a.differentLabels) || b.similarity.max - a.similarity.max || b.images.length - a.images.length || a.images[0] - b.images[0];

function distinctGroups(images: number[], groups: AuditGroups): number[] {
  return [...new Set(images.map((i) => groups.groupOf[i]))].sort((a, b) => a - b);
}

/** Files with equal bytes (empty and unreadable files, which share no content, are left out). */
export function exactDuplicates(images: readonly ImageRecord[], groups: AuditGroups): DuplicateGroup[] {
  const bySha = new Map<string, number[]>();
  images.forEach((r, i) => {
    if (r.sha256 === '' || r.bytes === 0) return;
    const list = bySha.get(r.sha256);
    if (list) list.push(i);
    else bySha.set(r.sha256, [i]);
  });
  const out: DuplicateGroup[] = [];
  for (const list of bySha.values()) {
    if (list.length < 2) continue;
    const gs = distinctGroups(list, groups);
    out.push({ kind: 'exact', images: list, groups: gs, differentLabels: gs.length > 1, similarity: { min: 1, max: 1 } });
  }
  return out.sort(byFlagThenSize);
}

/**
 * Near-duplicates: connected components of the image pairs whose similarity is ≥ level among each image's k
 * nearest neighbours, byte-identical pairs left out (they are exact duplicates). An image with more than k such
 * neighbours keeps its k best edges; its component still joins them through the others.
 */
export function nearDuplicates(nb: ImageNeighbours, images: readonly ImageRecord[], groups: AuditGroups, level: number): DuplicateGroup[] {
  const n = images.length;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  const lo = new Map<number, number>();
  const hi = new Map<number, number>();
  const edges: Array<[number, number, number]> = [];
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < nb.k; m++) {
      const j = nb.image[i * nb.k + m];
      const s = nb.similarity[i * nb.k + m];
      if (j < 0 || !(s >= level)) break; // best first: the rest are lower
      if (j < i && nb.image.subarray(j * nb.k, (j + 1) * nb.k).includes(i)) continue; // already seen from j
      if (images[i].sha256 !== '' && images[i].sha256 === images[j].sha256) continue;
      edges.push([i, j, s]);
      parent[find(i)] = find(j);
    }
  }
  for (const [i, , s] of edges) {
    const r = find(i);
    lo.set(r, Math.min(lo.get(r) ?? Infinity, s));
    hi.set(r, Math.max(hi.get(r) ?? -Infinity, s));
  }
  const members = new Map<number, Set<number>>();
  for (const [i, j] of edges) {
    for (const x of [i, j]) {
      const r = find(x);
      const set = members.get(r) ?? new Set<number>();
      set.add(x);
      members.set(r, set);
    }
  }
  const out: DuplicateGroup[] = [];
  for (const [r, set] of members) {
    const list = [...set].sort((a, b) => a - b);
    const gs = distinctGroups(list, groups);
    out.push({ kind: 'near', images: list, groups: gs, differentLabels: gs.length > 1, similarity: { min: lo.get(r)!, max: hi.get(r)! } });
  }
  return out.sort(byFlagThenSize);
}

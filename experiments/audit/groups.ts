import type { DatasetManifest } from '../../datasets/manifest.js';

/**
 * The people an audit compares: every known identity is one group, and every image of a never-enrolled person
 * (`unknown: true`) is a group of its own, because an "unknown" label (aivivn's 1000, an unknown/ folder) names
 * nobody in particular: two strangers under it are not one person.
 */
export interface AuditGroups {
  /** Group index of each manifest image. */
  groupOf: Int32Array;
  /** Display name of each group: the identity, or the image path for an unknown. */
  names: string[];
  /** 1 where the group is a single never-enrolled image. */
  unknown: Uint8Array;
  /** Members of group g: images `members[start[g] .. start[g + 1])` (CSR layout, manifest order). */
  start: Int32Array;
  members: Int32Array;
}

export function auditGroups(manifest: DatasetManifest): AuditGroups {
  const index = new Map<string, number>();
  const names: string[] = [];
  const unknown: number[] = [];
  const groupOf = Int32Array.from(manifest.images, (img) => {
    const key = img.unknown ? `\u0000unknown\u0000${img.path}` : img.identity;
    let g = index.get(key);
    if (g === undefined) {
      index.set(key, (g = names.length));
      names.push(img.unknown ? img.path : img.identity);
      unknown.push(img.unknown ? 1 : 0);
    }
    return g;
  });
  const n = names.length;
  const start = new Int32Array(n + 1);
  for (const g of groupOf) start[g + 1]++;
  for (let g = 0; g < n; g++) start[g + 1] += start[g];
  const fill = start.slice(0, n);
  const members = new Int32Array(groupOf.length);
  groupOf.forEach((g, i) => (members[fill[g]++] = i));
  return { groupOf, names, unknown: Uint8Array.from(unknown), start, members };
}

/**
 * Per group, the sum of its members' unit vectors (float64, groups × dim) and how many members have one
 * (`ok[i]`): what leave-one-out templates and the full templates are both computed from.
 */
export interface GroupSums {
  sums: Float64Array;
  counts: Int32Array;
}

export function groupSums(vectors: Float32Array, dim: number, ok: Uint8Array, groups: AuditGroups): GroupSums {
  const nGroups = groups.names.length;
  const sums = new Float64Array(nGroups * dim);
  const counts = new Int32Array(nGroups);
  groups.groupOf.forEach((g, i) => {
    if (!ok[i]) return;
    counts[g]++;
    const o = g * dim;
    const v = i * dim;
    for (let k = 0; k < dim; k++) sums[o + k] += vectors[v + k];
  });
  return { sums, counts };
}

/**
 * Each group's template, normalise(mean of its unit vectors) (search/templates.ts's `mean` mode), row-major;
 * a group with no embedded member has a zero row and `has[g] = 0`.
 */
export interface Templates {
  vectors: Float32Array;
  has: Uint8Array;
}

export function templatesOf(s: GroupSums, dim: number): Templates {
  const n = s.counts.length;
  const vectors = new Float32Array(n * dim);
  const has = new Uint8Array(n);
  for (let g = 0; g < n; g++) {
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += s.sums[g * dim + k] ** 2;
    if (s.counts[g] === 0 || norm === 0) continue;
    const inv = 1 / Math.sqrt(norm);
    for (let k = 0; k < dim; k++) vectors[g * dim + k] = s.sums[g * dim + k] * inv;
    has[g] = 1;
  }
  return { vectors, has };
}

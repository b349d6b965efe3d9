import type { AuditGroups, GroupSums } from './groups.js';
import type { NearestOther } from './neighbours.js';
import { robustScale, robustZ, type RobustScale } from './robust.js';

/**
 * Leave-one-out template similarity of every image: the cosine of image i to normalise(Σ of the other embedded
 * images of its identity), i.e. how well it agrees with the rest of its identity. NaN where the image has no
 * embedding, belongs to an unknown, or is its identity's only embedded image (nothing to agree with).
 * Computed from the group sums: (S − v)·v / ‖S − v‖, O(dim) per image.
 */
export function leaveOneOut(vectors: Float32Array, dim: number, ok: Uint8Array, groups: AuditGroups, s: GroupSums): Float32Array {
  const out = new Float32Array(ok.length).fill(NaN);
  groups.groupOf.forEach((g, i) => {
    if (!ok[i] || groups.unknown[g] || s.counts[g] < 2) return;
    let num = 0;
    let norm = 0;
    for (let k = 0; k < dim; k++) {
      const v = vectors[i * dim + k];
      const r = s.sums[g * dim + k] - v;
      num += r * v;
      norm += r * r;
    }
    if (norm > 0) out[i] = num / Math.sqrt(norm);
  });
  return out;
}

/** One image that agrees less with its identity than the rest of the set's images do with theirs. */
export interface OutlierRow {
  image: number;
  group: number;
  /** Embedded images of its identity, itself included. */
  identityImages: number;
  /** Leave-one-out template similarity (cosine). */
  looSimilarity: number;
  /** Robust z of looSimilarity across every image of the set that has one (median/MAD). */
  zSet: number;
  /** Robust z within its own identity (null under 3 embedded images, where there is no spread to measure). */
  zIdentity: number | null;
  /** The nearest other identity's template, and its similarity (null when there is none). */
  nearest: { group: number; similarity: number } | null;
  /** True when that other identity's template is closer than its own identity's rest: a label error is likelier than a bad photo. */
  closerToOther: boolean;
  /** zSet ≤ −zCut. Unflagged rows are the next most unusual, listed so a small set still shows its ranking. */
  flagged: boolean;
}

export interface OutlierFindings {
  /** The scale zSet is measured on: median and MAD of leave-one-out similarity over the set. */
  setScale: RobustScale;
  /**
   * Every flagged image (zSet ≤ −zCut), then unflagged ones up to `top` rows in all; most unusual first (lowest
   * looSimilarity, ties by manifest order).
   */
  ranked: OutlierRow[];
  flaggedCount: number;
  /** Images with a leave-one-out similarity (the population the z is taken over). */
  scored: number;
}

/** Within-identity z needs a spread: at least this many embedded images. */
const MIN_FOR_IDENTITY_Z = 3;

/**
 * Intra-identity outliers: an image is flagged when its leave-one-out similarity is at least `zCut` robust
 * standard deviations below the set's median (robust z across the set); its z within its own identity is
 * reported beside it, since a tight identity makes a mild outlier stand out there first.
 */
export function findOutliers(loo: Float32Array, groups: AuditGroups, counts: Int32Array, nearest: NearestOther, opts: { zCut: number; top: number }): OutlierFindings {
  const setScale = robustScale(loo);
  const perGroup = new Map<number, RobustScale>();
  const scaleOf = (g: number) => {
    let s = perGroup.get(g);
    if (!s) {
      const members = groups.members.subarray(groups.start[g], groups.start[g + 1]);
      perGroup.set(g, (s = robustScale(Array.from(members, (i) => loo[i]))));
    }
    return s;
  };
  const order = Int32Array.from({ length: loo.length }, (_, i) => i).filter((i) => Number.isFinite(loo[i]));
  order.sort((a, b) => loo[a] - loo[b] || a - b);
  const ranked: OutlierRow[] = [];
  let flaggedCount = 0;
  for (const i of order) {
    const x = loo[i];
    const zSet = robustZ(x, setScale);
    const flagged = zSet <= -opts.zCut;
    if (!flagged && ranked.length >= opts.top) break;
    flaggedCount += flagged ? 1 : 0;
    const g = groups.groupOf[i];
    const zIdentity = counts[g] >= MIN_FOR_IDENTITY_Z ? robustZ(x, scaleOf(g)) : null;
    const near = nearest.group[i] >= 0 ? { group: nearest.group[i], similarity: nearest.similarity[i] } : null;
    ranked.push({ image: i, group: g, identityImages: counts[g], looSimilarity: x, zSet, zIdentity, nearest: near, closerToOther: near !== null && near.similarity > x, flagged });
  }
  return { setScale, ranked, flaggedCount, scored: setScale.n };
}

import type { FailureReason } from '../../core/failures.js';
import type { FaceQuality } from '../../models/acquire.js';
import { median } from './robust.js';

/**
 * Images that are poor evidence whoever they show:
 * - `failure-to-acquire`: no face came out of it (the cache's reason: no-face, unreadable, …);
 * - `tiny-face`: the eyes are closer than `minEyeDistance` pixels in the original image;
 * - `extreme-pose`: |yaw proxy| ≥ `maxYaw` (see yawProxy);
 * - `far-from-all`: nothing comes close, its own identity included: max(leave-one-out similarity, nearest other
 *   identity's template) is below the median, over the set, of the nearest other identity's similarity, i.e. its
 *   own identity is no closer to it than a typical image's nearest stranger is. Judged only for identities with
 *   two or more embedded images: a one-image identity is expected to be far from the rest.
 *   (A photo merely unlike the rest of its identity is an outlier, outliers.ts; this is a face that matches no one.)
 */
export const JUNK_REASONS = ['failure-to-acquire', 'tiny-face', 'extreme-pose', 'far-from-all'] as const;
export type JunkReason = (typeof JUNK_REASONS)[number];

/**
 * A yaw proxy from the five landmarks: the nose tip's offset from the eye midpoint along the eye line, in half
 * inter-eye distances: 2 (n − m)·e / |e|², with e = right eye − left eye, m their midpoint, n the nose tip.
 * 0 for a frontal face; ±1 when the nose is over one eye, about 45° of yaw for a nose that protrudes as far as
 * half the eye distance (offset ≈ tan yaw); the sign says which way. In-plane rotation (roll) does not change it,
 * since the offset is measured along the eye line. NaN without landmarks or with both eyes at one point.
 */
export function yawProxy(landmarks: Float32Array, i: number): number {
  const o = i * 10;
  const [lx, ly, rx, ry, nx, ny] = [landmarks[o], landmarks[o + 1], landmarks[o + 2], landmarks[o + 3], landmarks[o + 4], landmarks[o + 5]];
  const ex = rx - lx;
  const ey = ry - ly;
  const e2 = ex * ex + ey * ey;
  if (!(e2 > 0)) return NaN;
  return (2 * ((nx - (lx + rx) / 2) * ex + (ny - (ly + ry) / 2) * ey)) / e2;
}

export interface JunkRow {
  image: number;
  reasons: JunkReason[];
  /** For failures to acquire: the reason and the cache's message. */
  failure: { reason: FailureReason | 'missing'; message: string | null } | null;
  /** Inter-eye distance in original pixels (NaN without a face). */
  eyeDistance: number;
  yaw: number;
  /** max(leave-one-out, nearest other template) (NaN where not judged). */
  bestSimilarity: number;
}

export interface JunkInput {
  failure: ReadonlyArray<FailureReason | 'missing' | null>;
  failureMessage: ReadonlyArray<string | null>;
  quality: ReadonlyArray<FaceQuality | null>;
  landmarks: Float32Array;
  loo: Float32Array;
  nearestSimilarity: Float32Array;
}

export interface JunkOptions {
  minEyeDistance: number;
  maxYaw: number;
}

export interface JunkFindings {
  rows: JunkRow[];
  /** Images per reason (an image can carry several). */
  byReason: Record<JunkReason, number>;
  /** The level far-from-all is judged against: the median nearest-other-identity similarity. */
  farLevel: number;
}

export function findJunk(input: JunkInput, opts: JunkOptions): JunkFindings {
  const n = input.failure.length;
  const best = new Float32Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(input.loo[i])) continue;
    const other = input.nearestSimilarity[i];
    best[i] = Number.isFinite(other) ? Math.max(input.loo[i], other) : input.loo[i];
  }
  const farLevel = median(Array.from(best, (b, i) => (Number.isFinite(b) ? input.nearestSimilarity[i] : NaN)));
  const byReason = Object.fromEntries(JUNK_REASONS.map((r) => [r, 0])) as Record<JunkReason, number>;
  const rows: JunkRow[] = [];
  for (let i = 0; i < n; i++) {
    const reasons: JunkReason[] = [];
    const f = input.failure[i];
    const eyeDistance = input.quality[i]?.interEyeDistance ?? NaN;
    const yaw = yawProxy(input.landmarks, i);
    if (f !== null) reasons.push('failure-to-acquire');
    if (eyeDistance < opts.minEyeDistance) reasons.push('tiny-face');
    if (Math.abs(yaw) >= opts.maxYaw) reasons.push('extreme-pose');
    if (best[i] < farLevel) reasons.push('far-from-all');
    if (reasons.length === 0) continue;
    for (const r of reasons) byReason[r]++;
    rows.push({ image: i, reasons, failure: f === null ? null : { reason: f, message: input.failureMessage[i] }, eyeDistance, yaw, bestSimilarity: best[i] });
  }
  return { rows, byReason, farLevel };
}

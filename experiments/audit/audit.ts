import type { FailureReason } from '../../core/failures.js';
import type { DatasetManifest } from '../../datasets/manifest.js';
import type { FaceQuality } from '../../models/acquire.js';
import { dot } from '../../search/dot.js';
import type { IndexFactory } from '../../search/indexes.js';
import type { Decision } from './decisions.js';
import { decisionTarget } from './targets.js';
import { exactDuplicates, nearDuplicates, type DuplicateGroup } from './duplicates.js';
import { auditGroups, groupSums, templatesOf } from './groups.js';
import { findIdentityPairs, type IdentityPairRow } from './identity-pairs.js';
import { findJunk, type JunkFindings, type JunkReason } from './junk.js';
import { imageNeighbours, nearestOtherGroup } from './neighbours.js';
import { findOutliers, leaveOneOut, type OutlierRow } from './outliers.js';
import type { RobustScale } from './robust.js';

/** The audit's levels, each stated in audit.json beside what it found. */
export interface AuditOptions {
  /** Robust z at or below −zCut flags an outlier (Iglewicz & Hoaglin's 3.5). */
  zCut: number;
  /** Embedding similarity at or above which two different files are near-duplicates. */
  nearDuplicate: number;
  /** Inter-eye distance (original pixels) below which a face is tiny. */
  minEyeDistance: number;
  /** |yaw proxy| at or above which a pose is extreme (junk.ts, yawProxy). */
  maxYaw: number;
  /** Rows listed per finding beyond the flagged ones (the ranking of a set with few flags). */
  top: number;
  /** Nearest images asked of each image (near-duplicates, identity-pair candidates). */
  neighbours: number;
  /** Nearest templates asked of each template (identity-pair candidates). */
  templateNeighbours: number;
}

export const DEFAULT_AUDIT_OPTIONS: AuditOptions = { zCut: 3.5, nearDuplicate: 0.95, minEyeDistance: 20, maxYaw: 1, top: 25, neighbours: 10, templateNeighbours: 10 };

/** What the audit reads: one model's embeddings of a dataset (rows like the manifest), and the cached faces. */
export interface AuditInput {
  manifest: DatasetManifest;
  dim: number;
  vectors: Float32Array;
  ok: Uint8Array;
  failure: ReadonlyArray<FailureReason | 'missing' | null>;
  failureMessage: ReadonlyArray<string | null>;
  quality: ReadonlyArray<FaceQuality | null>;
  /** n × 10 landmarks, NaN where none (pipeline/face-geometry.ts). */
  landmarks: Float32Array;
}

/** An image as the findings name it. */
export interface ImageRef {
  path: string;
  identity: string;
  unknown: boolean;
}

/** A group as the findings name it, with the image of it most like the image it is shown beside. */
export interface GroupRef {
  name: string;
  unknown: boolean;
  images: number;
  example: string | null;
}

export type OutlierFinding = Omit<OutlierRow, 'image' | 'group' | 'nearest'> & { image: ImageRef; nearest: (GroupRef & { similarity: number }) | null };
export type DuplicateFinding = Omit<DuplicateGroup, 'images' | 'groups'> & {
  images: ImageRef[];
  /** Each copy's leave-one-out similarity to its identity (null where it has none): which copy its label fits. */
  agreement: Array<number | null>;
};
export type IdentityPairFinding = Omit<IdentityPairRow, 'a' | 'b' | 'closest' | 'imagesA' | 'imagesB'> & { a: GroupRef; b: GroupRef; closest: { similarity: number; imageA: string; imageB: string } };
export type JunkFinding = Omit<JunkFindings['rows'][number], 'image'> & { image: ImageRef };

export interface RankedFindings {
  flaggedCount: number;
  ranked: IdentityPairFinding[];
}

export interface AuditFindings {
  options: AuditOptions;
  images: number;
  embedded: number;
  groups: { known: number; unknownImages: number };
  outliers: { setScale: RobustScale; scored: number; flaggedCount: number; ranked: OutlierFinding[] };
  duplicates: { exact: DuplicateFinding[]; near: DuplicateFinding[] };
  /** `known`: two identities that are probably one person; `unknown`: unknown images that are probably an identity (or each other). */
  identityPairs: { level: number; levelRule: string; candidates: number; known: RankedFindings; unknown: RankedFindings };
  junk: { byReason: Record<JunkReason, number>; farLevel: number; rows: JunkFinding[] };
}

/**
 * Audit one dataset's labels and images from one model's embeddings: intra-identity outliers, exact and
 * near-duplicates, identities that are probably one person, and junk. Searches go through `makeIndex` (FAISS flat
 * or the exact reference), so LFW's 13,233 images cost two k-nearest-neighbour searches, not a JS loop over pairs.
 */
export async function auditDataset(input: AuditInput, options: AuditOptions, makeIndex: IndexFactory): Promise<AuditFindings> {
  const { manifest, dim, vectors, ok } = input;
  const groups = auditGroups(manifest);
  const sums = groupSums(vectors, dim, ok, groups);
  const templates = templatesOf(sums, dim);
  const nearest = await nearestOtherGroup(vectors, dim, ok, groups, templates, makeIndex);
  const loo = leaveOneOut(vectors, dim, ok, groups, sums);
  const outliers = findOutliers(loo, groups, sums.counts, nearest, { zCut: options.zCut, top: options.top });
  const nb = await imageNeighbours(vectors, dim, ok, options.neighbours, makeIndex);
  const exact = exactDuplicates(manifest.images, groups);
  const near = nearDuplicates(nb, manifest.images, groups, options.nearDuplicate);
  // Two identities as alike as a typical image is to the rest of its own identity are probably one person.
  const level = outliers.setScale.median;
  const pairs = await findIdentityPairs(vectors, dim, ok, groups, templates, nb, makeIndex, { level: Number.isFinite(level) ? level : 1, top: options.top, templateK: options.templateNeighbours });
  const junk = findJunk({ failure: input.failure, failureMessage: input.failureMessage, quality: input.quality, landmarks: input.landmarks, loo, nearestSimilarity: nearest.similarity }, options);

  const img = (i: number): ImageRef => ({ path: manifest.images[i].path, identity: manifest.images[i].identity, unknown: manifest.images[i].unknown });
  // The member of group g most like image i: the face to show beside it.
  const example = (g: number, i: number): string | null => {
    let best = -Infinity;
    let at = -1;
    for (const m of groups.members.subarray(groups.start[g], groups.start[g + 1])) {
      if (!ok[m] || m === i) continue;
      const s = i >= 0 && ok[i] ? dot(vectors, i * dim, vectors, m * dim, dim) : 0;
      if (at < 0 || s > best) [best, at] = [s, m];
    }
    return at < 0 ? null : manifest.images[at].path;
  };
  const ref = (g: number, i: number): GroupRef => ({ name: groups.names[g], unknown: Boolean(groups.unknown[g]), images: sums.counts[g], example: example(g, i) });
  const dup = (d: DuplicateGroup): DuplicateFinding => ({
    kind: d.kind,
    images: d.images.map(img),
    agreement: d.images.map((i) => (Number.isFinite(loo[i]) ? loo[i] : null)),
    differentLabels: d.differentLabels,
    similarity: d.similarity,
  });
  const unknownImages = groups.unknown.reduce((a, b) => a + b, 0);
  const pairFinding = (p: IdentityPairRow): IdentityPairFinding => ({
    a: ref(p.a, p.closest.imageB),
    b: ref(p.b, p.closest.imageA),
    templateSimilarity: p.templateSimilarity,
    closest: { similarity: p.closest.similarity, imageA: manifest.images[p.closest.imageA].path, imageB: manifest.images[p.closest.imageB].path },
    unknownSide: p.unknownSide,
    flagged: p.flagged,
  });
  return {
    options,
    images: manifest.images.length,
    embedded: ok.reduce((a, b) => a + b, 0),
    groups: { known: groups.names.length - unknownImages, unknownImages },
    outliers: {
      setScale: outliers.setScale,
      scored: outliers.scored,
      flaggedCount: outliers.flaggedCount,
      ranked: outliers.ranked.map(({ image, group: _g, nearest: n, ...rest }) => ({ ...rest, image: img(image), nearest: n ? { ...ref(n.group, image), similarity: n.similarity } : null })),
    },
    duplicates: { exact: exact.map(dup), near: near.map(dup) },
    identityPairs: {
      level: pairs.level,
      levelRule: 'template similarity at or above the median leave-one-out similarity of the set (two identities as alike as a typical image is to the rest of its own identity)',
      candidates: pairs.candidates,
      known: { flaggedCount: pairs.known.flaggedCount, ranked: pairs.known.ranked.map(pairFinding) },
      unknown: { flaggedCount: pairs.unknown.flaggedCount, ranked: pairs.unknown.ranked.map(pairFinding) },
    },
    junk: { byReason: junk.byReason, farLevel: junk.farLevel, rows: junk.rows.map(({ image, ...rest }) => ({ ...rest, image: img(image) })) },
  };
}

/** Every image the findings name (flagged or listed, and the faces shown beside them): what a decision may be about. */
export function findingImages(f: AuditFindings): Set<string> {
  const out = new Set<string>();
  for (const o of f.outliers.ranked) [o.image.path, o.nearest?.example].forEach((p) => p && out.add(p));
  for (const p of [...f.identityPairs.known.ranked, ...f.identityPairs.unknown.ranked]) [p.closest.imageA, p.closest.imageB, p.a.example, p.b.example, ...(p.a.unknown ? [p.a.name] : []), ...(p.b.unknown ? [p.b.name] : [])].forEach((x) => x && out.add(x));
  for (const d of [...f.duplicates.exact, ...f.duplicates.near]) for (const i of d.images) out.add(i.path);
  for (const j of f.junk.rows) out.add(j.image.path);
  return out;
}

/** The findings that the audit's before/after comparison acts on (see suggestedDecisions). */
export const FLAG_KINDS = ['outliers', 'duplicates', 'same-person', 'junk'] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];

/**
 * The decisions that act on every flag of the chosen kinds, for the audit's "after" run (never written as the
 * user's decisions): a flagged outlier is left out (mislabelled when another identity is closer, else exclude);
 * of duplicate copies under different labels, or byte-identical copies under one, every copy but the one whose
 * identity agrees with it best (highest leave-one-out similarity, then the first path) is left out; a flagged
 * pair of known identities is merged, an unknown image matching a known identity relabelled as it; junk other
 * than failures to acquire (already excluded from algorithm-level rates, and counted) is left out.
 */
export function suggestedDecisions(f: AuditFindings, kinds: readonly FlagKind[]): Decision[] {
  const at = new Date(0).toISOString();
  const out: Decision[] = [];
  const seen = new Set<string>();
  const push = (d: Omit<Decision, 'decidedAt'>) => {
    const key = decisionTarget(d);
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ ...d, decidedAt: at, note: 'suggested by frw audit' });
  };
  if (kinds.includes('outliers')) for (const o of f.outliers.ranked.filter((r) => r.flagged)) push({ kind: o.closerToOther ? 'mislabelled' : 'exclude', image: o.image.path });
  if (kinds.includes('duplicates')) {
    for (const d of [...f.duplicates.exact.filter((g) => !g.differentLabels), ...f.duplicates.exact.filter((g) => g.differentLabels), ...f.duplicates.near.filter((g) => g.differentLabels)]) {
      // The copy whose label fits it best stays; a copy with nothing to agree with (its identity's only image) last.
      const score = (k: number) => d.agreement[k] ?? -Infinity;
      const order = d.images.map((_, k) => k).sort((x, y) => score(y) - score(x) || (d.images[x].path < d.images[y].path ? -1 : 1));
      const keep = d.images[order[0]];
      for (const i of d.images) if (i !== keep) push({ kind: 'duplicate', image: i.path });
    }
  }
  if (kinds.includes('same-person')) {
    for (const p of [...f.identityPairs.known.ranked, ...f.identityPairs.unknown.ranked].filter((r) => r.flagged)) {
      if (p.a.unknown && p.b.unknown) continue; // two strangers alike: no label to give either
      if (p.a.unknown || p.b.unknown) {
        const [stranger, known] = p.a.unknown ? [p.a, p.b] : [p.b, p.a];
        push({ kind: 'mislabelled', image: stranger.name, label: known.name });
      } else {
        // The larger identity keeps its name: fewer images change label.
        const [keep, merge] = p.b.images > p.a.images ? [p.b, p.a] : [p.a, p.b];
        push({ kind: 'same-person', identities: [keep.name, merge.name] });
      }
    }
  }
  if (kinds.includes('junk')) for (const j of f.junk.rows.filter((r) => r.reasons.some((x) => x !== 'failure-to-acquire'))) push({ kind: 'exclude', image: j.image.path });
  return out;
}

/**
 * The one manifest type every dataset adapter produces. Paths are relative to the dataset root with forward
 * slashes; they are the stable id of an image within its dataset.
 */
/**
 * Dataset layouts: a folder per identity, an `image,label` CSV, LFW with pairs.txt, or a pair-only set (a flat
 * image folder and a pair sheet: who is who is known only pair by pair, datasets/pairs.ts).
 */
export const DATASET_KINDS = ['folder', 'csv', 'lfw', 'pairs'] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

/**
 * Identity prefix of an image in a set that names no identities: each image is its own `image:<path>`, so nothing
 * downstream can take two images for one person. Only the pair sheet says which images show the same person.
 */
export const IMAGE_IDENTITY_PREFIX = 'image:';
/** The identity of a stranger whose data gives no name (an image in `unknown/`): one per image, never shared. */
export const UNKNOWN_IDENTITY_PREFIX = 'unknown:';

/** Whether a manifest's identities are people (false for pair-only sets, whose identities are images). */
export function namesIdentities(m: Pick<DatasetManifest, 'kind'>): boolean {
  return m.kind !== 'pairs';
}

export interface ImageRecord {
  path: string;
  /**
   * Identity label. For never-enrolled people it is their own label when the data has one, else `unknown:<path>`.
   * In a pair-only set (kind 'pairs') every image is `image:<path>`: no identities are known.
   */
  identity: string;
  /** True for people who are never enrolled (an `unknown/` folder, the CSV's unknown label, a second path). */
  unknown: boolean;
  /** sha256 of the file bytes ('' when the file could not be read). */
  sha256: string;
  bytes: number;
  /** Size after EXIF orientation; 0 when the image could not be decoded. */
  width: number;
  height: number;
  grayscale: boolean;
  /** Format detected from the bytes ('jpeg', 'png', 'pnm', …), or '' when undecodable. */
  format: string;
}

export type ProblemKind =
  | 'empty-file'
  | 'not-an-image'
  | 'unsupported-format' // an image format frw does not decode (SVG, BMP, HEIC…)
  | 'truncated'
  | 'too-large'
  | 'unreadable'
  | 'missing-file' // named by a CSV or pair list but absent
  | 'duplicate-image' // same bytes under two paths (leaks between enrolment and probes)
  | 'single-image-identity' // cannot form a genuine pair
  | 'bad-row' // a CSV or pair-list line that does not parse
  | 'stray-file' // a file where the layout expects none (e.g. an image at the top level of a folder set)
  | 'outside-root'; // a link to a file outside the dataset's folder: never read

export interface ManifestProblem {
  kind: ProblemKind;
  /** Dataset-relative path, or `<file>:<line>` for a bad row. */
  path: string;
  message: string;
}

/** A comparison named by the dataset itself (LFW pairs.txt, a pairs.csv). */
export interface DatasetPair {
  a: string;
  b: string;
  same: boolean;
  /** 0-based fold for LFW's 10-fold protocol; absent for plain pair lists. */
  fold?: number;
}

export interface IdentitySummary {
  name: string;
  images: number;
  unknown: boolean;
}

export interface DatasetManifest {
  name: string;
  kind: DatasetKind;
  /** Absolute dataset root; image paths are relative to it. */
  root: string;
  images: ImageRecord[];
  identities: IdentitySummary[];
  pairs?: DatasetPair[];
  /** Where the pairs came from (e.g. 'pairs.txt'), when there are any. */
  pairsSource?: string;
  problems: ManifestProblem[];
  /** sha256 over the sorted (path, identity, unknown, sha256) rows and the pairs: what a run pins. */
  hash: string;
}

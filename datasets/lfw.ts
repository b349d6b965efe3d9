import fs from 'node:fs/promises';
import path from 'node:path';
import { FrwError } from '../core/errors.js';
import type { DatasetManifest, DatasetPair, ManifestProblem } from './manifest.js';
import type { ScanOptions } from './scan.js';
import { buildManifest, probeEntries } from './scan.js';
import { keepKnownPairs, listIdentityTree } from './folder.js';

/** Image folders LFW is distributed under, most specific first; '' means identity folders sit at the root. */
export const LFW_IMAGE_DIRS = ['lfw-deepfunneled', 'lfw'] as const;

/** The LFW image folder under `root`, relative to it ('' when the identity folders are at the root itself). */
export async function lfwImageDir(root: string): Promise<string> {
  for (const d of LFW_IMAGE_DIRS) {
    if ((await fs.stat(path.join(root, d)).catch(() => undefined))?.isDirectory()) return d;
  }
  return '';
}

/** What pairs.txt holds: pairs with folds, the header's promise, and the lines that did not parse. */
export interface LfwPairsParse {
  pairs: DatasetPair[];
  problems: ManifestProblem[];
  /** From the header line (`10 300`); absent when the file has no header. */
  folds?: number;
  pairsPerClassPerFold?: number;
}

const isCount = (t: string): boolean => /^\d+$/.test(t) && Number(t) > 0;
// Names become path segments: anything that could step out of the image folder is a bad row.
const isSafeName = (t: string): boolean => t !== '.' && t !== '..' && !/[/\\\0]/.test(t);

/** The dataset-relative path of image `n` of `name`: `<dir>/<Name>/<Name>_000n.jpg`. */
export function lfwImagePath(imageDir: string, name: string, n: number): string {
  const file = `${name}/${name}_${String(n).padStart(4, '0')}.jpg`;
  return imageDir === '' ? file : `${imageDir}/${file}`;
}

/**
 * Parse LFW's pairs.txt: a header `folds perFold`, then per fold `perFold` same lines (`name n1 n2`) and
 * `perFold` different lines (`name1 n1 name2 n2`), whitespace-separated. A pair's fold comes from its position,
 * as in the official protocol. Pure: it names paths, it does not check that they exist.
 */
export function parseLfwPairs(text: string, imageDir: string, fileName = 'pairs.txt'): LfwPairsParse {
  const out: LfwPairsParse = { pairs: [], problems: [] };
  const lines = text.split(/\r?\n/).map((l, i) => ({ no: i + 1, tokens: l.trim().split(/\s+/).filter(Boolean) })).filter((l) => l.tokens.length > 0);
  const bad = (no: number, message: string) => out.problems.push({ kind: 'bad-row', path: `${fileName}:${no}`, message });
  const first = lines[0];
  let body = lines;
  if (first && first.tokens.length === 2 && first.tokens.every(isCount)) {
    out.folds = Number(first.tokens[0]);
    out.pairsPerClassPerFold = Number(first.tokens[1]);
    body = lines.slice(1);
  }
  const perFoldLines = out.folds !== undefined ? 2 * out.pairsPerClassPerFold! : undefined;
  body.forEach((l, idx) => {
    const t = l.tokens;
    const fold = perFoldLines !== undefined ? Math.floor(idx / perFoldLines) : undefined;
    let pair: DatasetPair | undefined;
    if (t.length === 3 && isSafeName(t[0]) && isCount(t[1]) && isCount(t[2])) {
      pair = { a: lfwImagePath(imageDir, t[0], Number(t[1])), b: lfwImagePath(imageDir, t[0], Number(t[2])), same: true };
    } else if (t.length === 4 && isSafeName(t[0]) && isCount(t[1]) && isSafeName(t[2]) && isCount(t[3])) {
      pair = { a: lfwImagePath(imageDir, t[0], Number(t[1])), b: lfwImagePath(imageDir, t[2], Number(t[3])), same: false };
    }
    if (!pair) {
      bad(l.no, `expected "name n1 n2" or "name1 n1 name2 n2", got ${JSON.stringify(t.join(' '))}`);
      return;
    }
    if (fold !== undefined && fold >= out.folds!) {
      bad(l.no, `line beyond the ${out.folds} folds the header announces`);
      return;
    }
    out.pairs.push(fold === undefined ? pair : { ...pair, fold });
  });
  if (perFoldLines !== undefined && body.length !== out.folds! * perFoldLines) {
    bad(first.no, `header promises ${out.folds} folds × ${perFoldLines} pairs = ${out.folds! * perFoldLines} lines, found ${body.length}`);
  }
  return out;
}

/** Options for an LFW-layout set. */
export interface LfwDatasetOptions {
  /** Display name; defaults to the folder's name. */
  name?: string;
  scan?: ScanOptions;
}

/**
 * Load LFW: every image under `lfw-deepfunneled/` (or `lfw/`, or identity folders at the root) plus the pairs of
 * `pairs.txt` with their folds. One-image people stay enrolled identities: the open-set protocol decides later
 * who is an unknown, and the summary counts them.
 */
export async function loadLfwDataset(root: string, opts: LfwDatasetOptions = {}): Promise<DatasetManifest> {
  const absRoot = path.resolve(root);
  if (!(await fs.stat(absRoot).catch(() => undefined))?.isDirectory()) throw new FrwError('NOT_FOUND', `dataset folder ${absRoot} does not exist`);
  const imageDir = await lfwImageDir(absRoot);
  const listing = await listIdentityTree(absRoot, imageDir, { unknownFolder: false });
  const probed = await probeEntries(absRoot, listing.entries, opts.scan);
  const problems = [...listing.problems, ...probed.problems];

  let pairs: DatasetPair[] | undefined;
  const text = await fs.readFile(path.join(absRoot, 'pairs.txt'), 'utf8').catch(() => undefined);
  if (text !== undefined) {
    const kept = keepKnownPairs(parseLfwPairs(text, imageDir), new Set(probed.images.map((r) => r.path)), 'pairs.txt');
    pairs = kept.pairs;
    problems.push(...kept.problems);
  }
  return buildManifest({
    name: opts.name ?? path.basename(absRoot),
    kind: 'lfw',
    root: absRoot,
    images: probed.images,
    problems,
    pairs,
    pairsSource: pairs ? 'pairs.txt' : undefined,
    flagSingleImageIdentities: false,
  });
}

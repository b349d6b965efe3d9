/**
 * Pair-only sets: a flat folder of images and a pair sheet (pair-sheet.ts), with no identity folders. Who is who is
 * known only pair by pair, so every image is its own identity `image:<path>` (manifest.ts IMAGE_IDENTITY_PREFIX):
 * nothing downstream can take two images for one person except through the sheet's pairs, the all-pairs protocol is
 * refused and the bootstrap resamples images (experiments/protocols.ts resampleUnit).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { FrwError, errorMessage } from '../core/errors.js';
import { realOf, resolveInside, within } from '../core/paths.js';
import { parseCsv } from './csv.js';
import { OUTSIDE, hasImageExtension, ignored, kindOf, readDirSorted } from './folder.js';
import { IMAGE_IDENTITY_PREFIX, type DatasetManifest, type DatasetPair, type ManifestProblem } from './manifest.js';
import { pairColumns, parsePairSheet } from './pair-sheet.js';
import type { ImageEntry, ScanOptions } from './scan.js';
import { buildManifest, probeEntries } from './scan.js';

/** The sheet a pair-only folder is read with when none is named. */
export const DEFAULT_PAIR_SHEET = 'pairs.csv';

/** Options for a pair-only set. */
export interface PairsDatasetOptions {
  /** Display name; defaults to the folder's name. */
  name?: string;
  /** The pair sheet; a relative path resolves against the folder. Default: findPairSheet. */
  sheet?: string;
  scan?: ScanOptions;
}

/** Largest pair sheet read: 256 MiB is millions of pairs, and bounds what a hostile file can make us hold. */
export const MAX_SHEET_BYTES = 256 * 2 ** 20;

/** Whether a CSV's first line is a pair sheet header (pair-sheet.ts columns); unreadable files are not. */
export async function isPairSheet(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    // The header is all this needs; 4 KiB covers any sane header.
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const header = parseCsv(buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0] ?? '')[0];
    return header !== undefined && !('why' in pairColumns(header.fields));
  } catch {
    return false;
  } finally {
    await handle.close();
  }
}

/**
 * The pair sheet of a folder: its `pairs.csv`, else its one top-level CSV with a pair sheet header. undefined when
 * there is none; BAD_INPUT when several CSVs qualify (name one with --pairs rather than guess).
 */
export async function findPairSheet(dir: string): Promise<string | undefined> {
  const names = (await fs.readdir(dir)).filter((n) => n.toLowerCase().endsWith('.csv') && !n.startsWith('.')).sort();
  if (names.includes(DEFAULT_PAIR_SHEET)) return path.join(dir, DEFAULT_PAIR_SHEET);
  const sheets: string[] = [];
  for (const n of names) if (await isPairSheet(path.join(dir, n))) sheets.push(n);
  if (sheets.length > 1) throw new FrwError('BAD_INPUT', `${dir} holds several pair sheets (${sheets.join(', ')}): name one with --pairs`);
  return sheets.length === 1 ? path.join(dir, sheets[0]) : undefined;
}

/** Whether a folder has image files directly inside it (what a pair-only layout needs, beside its sheet). */
export async function hasTopLevelImages(dir: string): Promise<boolean> {
  return (await fs.readdir(dir, { withFileTypes: true })).some((d) => !ignored(d.name) && !d.isDirectory() && hasImageExtension(d.name));
}

/** The image files directly in `root` (links only to files inside it), and links refused on the way. */
async function topLevelImages(root: string): Promise<{ files: string[]; problems: ManifestProblem[] }> {
  const out = { files: [] as string[], problems: [] as ManifestProblem[] };
  for (const d of await readDirSorted(root)) {
    // Sub-folders are not walked: a flat set's images lie at the top, and the sheet may still name files below.
    if (ignored(d.name) || !hasImageExtension(d.name)) continue;
    const kind = await kindOf(path.join(root, d.name), d, root);
    if (kind === 'outside') out.problems.push(OUTSIDE(d.name));
    else if (kind === 'file') out.files.push(d.name);
  }
  return out;
}

const isFile = async (p: string): Promise<boolean> => (await fs.stat(p).catch(() => undefined))?.isFile() ?? false;

/**
 * Load a pair-only set: every image file at the top of `root` plus every file the sheet names (anywhere inside the
 * folder), each its own identity `image:<path>` (never unknown: nobody is said to be a stranger either), and the
 * sheet's pairs. A pair naming a file that does not exist is left out with a 'missing-file' problem per missing
 * image (with the sheet line), never silently; malformed rows are 'bad-row' problems (pair-sheet.ts); a sheet
 * whose decisions cannot be read is refused (BAD_INPUT).
 */
export async function loadPairsDataset(root: string, opts: PairsDatasetOptions = {}): Promise<DatasetManifest> {
  const absRoot = path.resolve(root);
  if (!(await fs.stat(absRoot).catch(() => undefined))?.isDirectory()) throw new FrwError('NOT_FOUND', `dataset folder ${absRoot} does not exist`);
  const sheetPath = opts.sheet !== undefined ? path.resolve(absRoot, opts.sheet) : await findPairSheet(absRoot);
  if (sheetPath === undefined) throw new FrwError('NOT_FOUND', `${absRoot} holds no pair sheet (${DEFAULT_PAIR_SHEET}, or one CSV whose header names the pair columns): name it with --pairs`);
  const st = await fs.stat(sheetPath).catch(() => undefined);
  // A sheet found in the folder (not named by the user) must be the folder's own: a link out of it is not read.
  if (opts.sheet === undefined && st && !within(realOf(absRoot), realOf(sheetPath))) {
    throw new FrwError('OUTSIDE_ROOT', `${path.basename(sheetPath)} in ${absRoot} links outside the dataset folder; not read (name a sheet with --pairs)`);
  }
  if (st && st.size > MAX_SHEET_BYTES) throw new FrwError('TOO_LARGE', `pair sheet ${path.basename(sheetPath)} is ${st.size} bytes; sheets up to ${MAX_SHEET_BYTES} are read`);
  let text: string;
  try {
    text = await fs.readFile(sheetPath, 'utf8');
  } catch (e) {
    throw new FrwError('NOT_FOUND', `cannot read pair sheet ${sheetPath}: ${errorMessage(e)}`);
  }
  const inRoot = path.relative(absRoot, sheetPath);
  const source = !inRoot.startsWith('..') && !path.isAbsolute(inRoot) ? inRoot.split(path.sep).join('/') : path.basename(sheetPath);
  const sheet = parsePairSheet(text, source, absRoot);

  const top = await topLevelImages(absRoot);
  const listed = new Set(top.files);
  const problems: ManifestProblem[] = [...top.problems, ...sheet.problems];
  const firstLine = new Map<string, number>();
  sheet.pairs.forEach((p, i) => [p.a, p.b].forEach((x) => firstLine.has(x) || firstLine.set(x, sheet.lines[i])));
  for (const rel of firstLine.keys()) {
    // parsePairSheet already refused paths that leave the folder; resolveInside is the check at the point of use.
    if (!listed.has(rel) && (await isFile(resolveInside(absRoot, rel)))) listed.add(rel);
  }
  const entries: ImageEntry[] = [...listed].map((rel) => ({ path: rel, identity: IMAGE_IDENTITY_PREFIX + rel, unknown: false }));
  const probed = await probeEntries(absRoot, entries, opts.scan);
  problems.push(...probed.problems);

  const known = new Set(probed.images.map((r) => r.path));
  const pairs: DatasetPair[] = [];
  sheet.pairs.forEach((p, i) => {
    const missing = [p.a, p.b].filter((x) => !known.has(x));
    for (const m of missing) problems.push({ kind: 'missing-file', path: m, message: `named on ${source}:${sheet.lines[i]}, but there is no such file; the pair is left out` });
    if (missing.length === 0) pairs.push(p);
  });
  return buildManifest({
    name: opts.name ?? path.basename(absRoot),
    kind: 'pairs',
    root: absRoot,
    images: probed.images,
    problems,
    pairs,
    pairsSource: source,
    // Every image is its own identity here: one image each is the layout, not a problem.
    flagSingleImageIdentities: false,
  });
}

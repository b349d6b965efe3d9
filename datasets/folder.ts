import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { FrwError } from '../core/errors.js';
import { realOf, resolveInside, within } from '../core/paths.js';
import { parseCsv } from './csv.js';
import { pairColumns, parseDecision } from './pair-sheet.js';
import { UNKNOWN_IDENTITY_PREFIX, type DatasetManifest, type DatasetPair, type ManifestProblem } from './manifest.js';
import type { ImageEntry, ScanOptions } from './scan.js';
import { buildManifest, probeEntries } from './scan.js';

/** File extensions (lower case, no dot) that the layouts treat as images. Content decides the rest. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['jpg', 'jpeg', 'png', 'gif', 'webp', 'tif', 'tiff', 'bmp', 'pgm', 'ppm', 'pbm', 'pnm']);

/** True when the file name carries one of IMAGE_EXTENSIONS (case-insensitive). */
export function hasImageExtension(name: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(name).slice(1).toLowerCase());
}

/**
 * Extensions that are certainly not images (notes, label files, exports). Inside identity folders they are
 * reported as stray files instead of being probed, so a `notes.txt` does not count as a broken photo. Every
 * other file there is probed by content: a text file renamed .jpg must surface as 'not-an-image'.
 */
const NON_IMAGE_EXTENSIONS = new Set(['txt', 'csv', 'tsv', 'json', 'md', 'xml', 'yaml', 'yml', 'ini', 'log', 'html', 'pdf', 'db']);
/** OS litter that carries no meaning for a dataset; skipped silently like hidden files. */
const OS_LITTER = new Set(['thumbs.db', 'desktop.ini', '__macosx']);

const posixJoin = (...parts: string[]): string => path.posix.join(...parts.filter((p) => p !== ''));
/** Hidden files and OS litter: skipped by every layout walk. */
export const ignored = (name: string): boolean => name.startsWith('.') || OS_LITTER.has(name.toLowerCase());

/** Files a layout walk assigned to identities, and what it refused along the way. */
export interface FolderListing {
  entries: ImageEntry[];
  problems: ManifestProblem[];
}

export async function readDirSorted(abs: string): Promise<Dirent[]> {
  const list = await fs.readdir(abs, { withFileTypes: true });
  return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Resolve a symlink's target kind; links are followed for files only so a looping folder link cannot hang a walk,
 * and only to a file inside the dataset's own root (`root`): a link leading out of it is 'outside', a counted problem.
 */
export async function kindOf(abs: string, d: Dirent, root: string): Promise<'file' | 'dir' | 'other' | 'outside'> {
  if (d.isFile()) return 'file';
  if (d.isDirectory()) return 'dir';
  if (d.isSymbolicLink()) {
    const st = await fs.stat(abs).catch(() => undefined);
    if (st?.isFile()) return within(realOf(root), realOf(abs)) ? 'file' : 'outside';
  }
  return 'other';
}

export const OUTSIDE = (rel: string): ManifestProblem => ({ kind: 'outside-root', path: rel, message: 'a link to a file outside the dataset; not followed' });

/**
 * Every file under `root/dirRel`, at any depth, as images of one person: sub-folders (sessions, years) belong to
 * the identity that holds them. `namer` maps each file's dataset-relative path to its identity.
 */
export async function listPersonFiles(root: string, dirRel: string, namer: (relPath: string) => ImageEntry): Promise<FolderListing> {
  const out: FolderListing = { entries: [], problems: [] };
  const walk = async (rel: string): Promise<void> => {
    for (const d of await readDirSorted(path.join(root, rel))) {
      if (ignored(d.name)) continue;
      const childRel = posixJoin(rel, d.name);
      const kind = await kindOf(path.join(root, childRel), d, root);
      const ext = path.extname(d.name).slice(1).toLowerCase();
      if (kind === 'outside') out.problems.push(OUTSIDE(childRel));
      else if (kind === 'dir') await walk(childRel);
      else if (kind === 'other') out.problems.push({ kind: 'stray-file', path: childRel, message: 'not a regular file or folder (folder links are not followed)' });
      else if (NON_IMAGE_EXTENSIONS.has(ext)) out.problems.push({ kind: 'stray-file', path: childRel, message: `.${ext} file in an identity folder, not probed` });
      else out.entries.push(namer(childRel));
    }
  };
  await walk(dirRel);
  return out;
}

/**
 * Files of never-enrolled people under `root/dirRel`: files directly inside get identity `unknown:<path>`,
 * files in a per-person sub-folder `<dirRel>/<person>/…` get identity `<person>`; all are unknown.
 */
export async function listUnknownFolder(root: string, dirRel: string): Promise<FolderListing> {
  const prefix = dirRel === '' ? '' : dirRel + '/';
  return listPersonFiles(root, dirRel, (rel) => {
    const inner = rel.slice(prefix.length);
    const slash = inner.indexOf('/');
    return { path: rel, identity: slash < 0 ? UNKNOWN_IDENTITY_PREFIX + rel : inner.slice(0, slash), unknown: true };
  });
}

/** Options for walking a folder of identity folders. */
export interface IdentityTreeOptions {
  /** Treat a top-level `unknown/` folder as never-enrolled people (folder sets do; LFW does not). */
  unknownFolder: boolean;
  /** Top-level folder names to leave out (e.g. a second unknown path that sits inside the root). */
  skip?: ReadonlySet<string>;
}

/**
 * Walk `root/dirRel` where each sub-folder is one identity. Images lying at that top level are stray files;
 * other top-level files (READMEs, label lists, pairs files) are left to the caller.
 */
export async function listIdentityTree(root: string, dirRel: string, opts: IdentityTreeOptions): Promise<FolderListing> {
  const out: FolderListing = { entries: [], problems: [] };
  for (const d of await readDirSorted(path.join(root, dirRel))) {
    if (ignored(d.name) || opts.skip?.has(d.name)) continue;
    const rel = posixJoin(dirRel, d.name);
    const kind = await kindOf(path.join(root, rel), d, root);
    if (kind === 'outside') {
      out.problems.push(OUTSIDE(rel));
      continue;
    }
    if (kind === 'file') {
      if (hasImageExtension(d.name)) out.problems.push({ kind: 'stray-file', path: rel, message: 'image outside any identity folder' });
      continue;
    }
    if (kind !== 'dir') continue;
    const sub = opts.unknownFolder && d.name.toLowerCase() === 'unknown'
      ? await listUnknownFolder(root, rel)
      : await listPersonFiles(root, rel, (p) => ({ path: p, identity: d.name, unknown: false }));
    out.entries.push(...sub.entries);
    out.problems.push(...sub.problems);
  }
  return out;
}

/** Pairs read from a pair list, and the lines that could not be used. */
export interface PairsParse {
  pairs: DatasetPair[];
  problems: ManifestProblem[];
}

/**
 * Parse the pair sheet of an identity-folder set (header required: the columns and decision spellings of
 * pair-sheet.ts; paths relative to `pathsRoot`). Every fault is a counted bad row here, even an unknown decision
 * word: the identity folders stand without the sheet (a pair-only set refuses such a sheet instead, having nothing
 * else). Paths that escape the root are never touched. `prefix` rebases the paths onto the manifest root when that
 * is a parent.
 */
export function parsePairsCsv(text: string, fileName: string, pathsRoot: string, prefix = ''): PairsParse {
  const out: PairsParse = { pairs: [], problems: [] };
  const rows = parseCsv(text);
  const bad = (line: number, message: string) => out.problems.push({ kind: 'bad-row', path: `${fileName}:${line}`, message });
  const cols = pairColumns(rows[0]?.fields ?? []);
  if ('why' in cols) {
    bad(rows[0]?.line ?? 1, cols.why);
    return out;
  }
  const clean = (p: string): string => {
    const abs = resolveInside(pathsRoot, p);
    return posixJoin(prefix, path.relative(path.resolve(pathsRoot), abs).split(path.sep).join('/'));
  };
  for (const row of rows.slice(1)) {
    if (row.error) { bad(row.line, row.error); continue; }
    const [x, y, s] = [row.fields[cols.x], row.fields[cols.y], row.fields[cols.decision]].map((f) => (f ?? '').trim());
    if (!x || !y || !s) { bad(row.line, `expected two images and a ${cols.decisionName}`); continue; }
    const same = parseDecision(s);
    if (same === undefined) { bad(row.line, `${cols.decisionName} must be yes/no, 1/0, true/false or same/different, got ${JSON.stringify(s)}`); continue; }
    try {
      out.pairs.push({ a: clean(x), b: clean(y), same });
    } catch (e) {
      bad(row.line, (e as Error).message);
    }
  }
  return out;
}

/**
 * Keep only pairs whose two images are manifest rows; a pair naming anything else becomes a 'missing-file'
 * problem, so every pair a run sees can be looked up.
 */
export function keepKnownPairs(parsed: PairsParse, known: ReadonlySet<string>, source: string): PairsParse {
  const out: PairsParse = { pairs: [], problems: [...parsed.problems] };
  parsed.pairs.forEach((p, i) => {
    const missing = [p.a, p.b].filter((x) => !known.has(x));
    for (const m of missing) out.problems.push({ kind: 'missing-file', path: m, message: `pair ${i + 1} of ${source} names an image that is not in the dataset` });
    if (missing.length === 0) out.pairs.push(p);
  });
  return out;
}

/** Options for a one-folder-per-identity set. */
export interface FolderDatasetOptions {
  /** Display name; defaults to the folder's name. */
  name?: string;
  /** A second folder of never-enrolled people (flat files, or one sub-folder per person). */
  unknownPath?: string;
  scan?: ScanOptions;
}

interface Roots {
  manifestRoot: string;
  /** identity root relative to the manifest root ('' when they are the same) */
  idPrefix: string;
  unknownRel?: string;
}

/**
 * Image paths are relative to one root. A second unknown folder outside the dataset moves that root up to the
 * closest common parent, refusing the filesystem root: a manifest rooted at `/` would make every path legal.
 */
function planRoots(idRoot: string, unknownPath?: string): Roots {
  if (unknownPath === undefined) return { manifestRoot: idRoot, idPrefix: '' };
  const unk = path.resolve(unknownPath);
  const rel = (from: string, to: string) => path.relative(from, to).split(path.sep).join('/');
  if (unk === idRoot || idRoot.startsWith(unk + path.sep)) {
    throw new FrwError('BAD_INPUT', `unknown path ${unk} must not contain the dataset ${idRoot}`);
  }
  if (unk.startsWith(idRoot + path.sep)) {
    // Only a top-level folder can be left out of the identity walk without guessing.
    if (path.dirname(unk) !== idRoot) throw new FrwError('BAD_INPUT', `unknown path ${unk} inside the dataset must be a top-level folder of it`);
    return { manifestRoot: idRoot, idPrefix: '', unknownRel: rel(idRoot, unk) };
  }
  let common = path.dirname(idRoot);
  while (!unk.startsWith(common + path.sep) && common !== path.dirname(common)) common = path.dirname(common);
  if (common === path.parse(common).root) {
    throw new FrwError('BAD_INPUT', `unknown path ${unk} shares no folder with the dataset ${idRoot} below the filesystem root`);
  }
  return { manifestRoot: common, idPrefix: rel(common, idRoot), unknownRel: rel(common, unk) };
}

/**
 * Load a set laid out as one folder per identity (VNCeleb style), with an optional `unknown/` folder or
 * `unknownPath` for never-enrolled people and an optional root `pairs.csv`.
 */
export async function loadFolderDataset(root: string, opts: FolderDatasetOptions = {}): Promise<DatasetManifest> {
  const idRoot = path.resolve(root);
  const st = await fs.stat(idRoot).catch(() => undefined);
  if (!st?.isDirectory()) throw new FrwError('NOT_FOUND', `dataset folder ${idRoot} does not exist`);
  if (opts.unknownPath !== undefined && !(await fs.stat(path.resolve(opts.unknownPath)).catch(() => undefined))?.isDirectory()) {
    throw new FrwError('NOT_FOUND', `unknown folder ${path.resolve(opts.unknownPath)} does not exist`);
  }
  const roots = planRoots(idRoot, opts.unknownPath);
  const skip = new Set<string>();
  if (roots.idPrefix === '' && roots.unknownRel !== undefined) skip.add(roots.unknownRel);
  const listing = await listIdentityTree(roots.manifestRoot, roots.idPrefix, { unknownFolder: true, skip });
  if (roots.unknownRel !== undefined) {
    const unk = await listUnknownFolder(roots.manifestRoot, roots.unknownRel);
    listing.entries.push(...unk.entries);
    listing.problems.push(...unk.problems);
  }
  const probed = await probeEntries(roots.manifestRoot, listing.entries, opts.scan);
  const problems = [...listing.problems, ...probed.problems];

  let pairs: DatasetPair[] | undefined;
  const pairsText = await fs.readFile(path.join(idRoot, 'pairs.csv'), 'utf8').catch(() => undefined);
  if (pairsText !== undefined) {
    const parsed = parsePairsCsv(pairsText, 'pairs.csv', idRoot, roots.idPrefix);
    const kept = keepKnownPairs(parsed, new Set(probed.images.map((r) => r.path)), 'pairs.csv');
    pairs = kept.pairs;
    problems.push(...kept.problems);
  }
  return buildManifest({
    name: opts.name ?? path.basename(idRoot),
    kind: 'folder',
    root: roots.manifestRoot,
    images: probed.images,
    problems,
    pairs,
    pairsSource: pairs ? 'pairs.csv' : undefined,
    flagSingleImageIdentities: true,
  });
}

import fs from 'node:fs/promises';
import path from 'node:path';
import { FrwError, errorMessage } from '../core/errors.js';
import { sha256File } from '../core/hash.js';
import { resolveInside } from '../core/paths.js';
import { loadCsvDataset, parseCsv } from './csv.js';
import { loadFolderDataset } from './folder.js';
import { UNKNOWN_IDENTITY_PREFIX, type DatasetManifest, type ImageRecord, type ManifestProblem } from './manifest.js';
import { buildManifest, type ScanOptions } from './scan.js';

/**
 * A gallery set and a probe set that the data gives (the aivivn challenge's train.csv and test CSV, a VNCeleb-style
 * set's gallery/ and probe/ folders, or one CSV with a split column), read into one manifest under their closest
 * common folder, with the set each image came from. Which probe is mated and which is a stranger is decided above
 * (experiments/identification/given-split.ts); this layer only says who listed what.
 */
export const GALLERY_PROBE_SOURCES = ['two-csv', 'two-folders', 'split-column'] as const;
export type GalleryProbeSource = (typeof GALLERY_PROBE_SOURCES)[number];
export type SetRole = 'gallery' | 'probe';

/** Values of a split column (case-insensitive) and the set each names; any other value is a bad row. */
export const SPLIT_COLUMN_VALUES: Readonly<Record<string, SetRole>> = { gallery: 'gallery', enrol: 'gallery', train: 'gallery', probe: 'probe', test: 'probe' };

export interface GalleryProbeRequest {
  /** Two sets: CSV files (`image,label`) or folders of identity folders, both of one kind. */
  gallery?: string;
  probe?: string;
  /** One CSV whose `splitColumn` says each row's set. */
  csv?: string;
  splitColumn?: string;
  /** The label strangers carry (CSV label, or the probe folder holding them). */
  unknownLabel?: string;
  /** CSV sets: the folders their image columns are relative to (default: csv.ts defaultImagesDir). */
  galleryImages?: string;
  probeImages?: string;
  name?: string;
  scan?: ScanOptions;
}

/** What split.json and identification.json record of where the two sets came from. */
export interface GalleryProbeDescription {
  source: GalleryProbeSource;
  /** Absolute paths: the gallery CSV or folder, the probe CSV or folder (the one CSV twice for split-column). */
  gallery: string;
  probe: string;
  /** sha256 of the CSV files that define membership (null for folders, whose listing the manifest hash pins). */
  gallerySha256: string | null;
  probeSha256: string | null;
  splitColumn: string | null;
  unknownLabel: string | null;
}

export interface GalleryProbeSets {
  manifest: DatasetManifest;
  /** Per manifest image (same order): the set that listed it. */
  role: SetRole[];
  /** Per manifest image: its name within its own set (the CSV's image column as resolved, or the path under the set's folder). */
  listedAs: string[];
  /** Files listed by both sets: kept once, as gallery images; each is a leaked probe, reported, never scored. */
  listedInBoth: Array<{ path: string; probeIdentity: string }>;
  /** Split-column rows with no valid set value: left out and counted (each is also a bad-row problem). */
  unassigned: number;
  description: GalleryProbeDescription;
}

const isDir = async (p: string) => (await fs.stat(p).catch(() => undefined))?.isDirectory() ?? false;
const isFile = async (p: string) => (await fs.stat(p).catch(() => undefined))?.isFile() ?? false;
const posix = (p: string) => p.split(path.sep).join('/');

/** The closest folder holding both; the filesystem root is refused (every path would be legal under it). */
function commonRoot(a: string, b: string): string {
  let dir = a;
  while (!(b === dir || b.startsWith(dir + path.sep)) && dir !== path.dirname(dir)) dir = path.dirname(dir);
  if (dir === path.parse(dir).root) throw new FrwError('BAD_INPUT', `the gallery set ${a} and the probe set ${b} share no folder below the filesystem root`);
  return dir;
}

/** A set's rows rebased onto `root`; the unknown label of a folder set marks its folder's people as strangers. */
function rebase(m: DatasetManifest, root: string, unknownFolderLabel?: string): { images: ImageRecord[]; listed: Map<string, string>; problems: ManifestProblem[] } {
  const to = (p: string) => posix(path.relative(root, path.join(m.root, p)));
  const listed = new Map<string, string>();
  const images = m.images.map((r) => {
    const p = to(r.path);
    listed.set(p, r.path);
    const stranger = unknownFolderLabel !== undefined && !r.unknown && r.identity === unknownFolderLabel;
    // A stranger's identity is its own image (as the CSV adapter does): the label groups strangers, it names no one.
    const identity = stranger || r.identity === UNKNOWN_IDENTITY_PREFIX + r.path ? UNKNOWN_IDENTITY_PREFIX + p : r.identity;
    return { ...r, path: p, identity, unknown: r.unknown || stranger };
  });
  // Duplicates are found again over both sets together; one-image identities are normal in a gallery.
  const problems = m.problems
    .filter((x) => x.kind !== 'duplicate-image' && x.kind !== 'single-image-identity')
    .map((x) => (x.kind === 'bad-row' ? x : { ...x, path: to(x.path) }));
  return { images, listed, problems };
}

async function csvSha(file: string): Promise<string> {
  try {
    return await sha256File(file);
  } catch (e) {
    throw new FrwError('NOT_FOUND', `cannot read ${file}: ${errorMessage(e)}`);
  }
}

/** Two sets (CSVs or folders), or one CSV with a split column, as one manifest with each image's set. */
export async function loadGalleryProbe(req: GalleryProbeRequest): Promise<GalleryProbeSets> {
  if (req.csv !== undefined) {
    if (req.gallery !== undefined || req.probe !== undefined) throw new FrwError('BAD_INPUT', 'give either a gallery and a probe set, or one CSV with a split column, not both');
    if (!req.splitColumn) throw new FrwError('BAD_INPUT', 'one CSV holds both sets only with a split column naming each row\'s set (--split-column)');
    return splitColumnSets(path.resolve(req.csv), req.splitColumn, req);
  }
  if (req.gallery === undefined) {
    throw new FrwError('BAD_INPUT', req.probe === undefined ? 'no gallery set and no probe set given' : `no gallery set: a probe set (${req.probe}) is searched against a gallery of enrolled people; give the gallery set too (--gallery <csv|folder>)`);
  }
  if (req.probe === undefined) throw new FrwError('BAD_INPUT', `no probe set: give the probe set beside the gallery ${req.gallery} (--probe <csv|folder>)`);
  const [g, p] = [path.resolve(req.gallery), path.resolve(req.probe)];
  for (const [what, x] of [['gallery', g], ['probe', p]] as const) {
    if (!(await isFile(x)) && !(await isDir(x))) throw new FrwError('NOT_FOUND', `the ${what} set ${x} does not exist`);
  }
  const csv = [await isFile(g), await isFile(p)];
  if (csv[0] !== csv[1]) throw new FrwError('BAD_INPUT', `the gallery set and the probe set must both be CSVs or both folders (gallery ${g}, probe ${p})`);
  if (csv[0]) {
    const gm = await loadCsvDataset(g, { imagesDir: req.galleryImages, unknownLabel: req.unknownLabel, scan: req.scan });
    const pm = await loadCsvDataset(p, { imagesDir: req.probeImages, unknownLabel: req.unknownLabel, scan: req.scan });
    const stem = (f: string) => path.basename(f, path.extname(f));
    const description: GalleryProbeDescription = { source: 'two-csv', gallery: g, probe: p, gallerySha256: await csvSha(g), probeSha256: await csvSha(p), splitColumn: null, unknownLabel: req.unknownLabel ?? null };
    return combine(gm, pm, req.name ?? `${path.basename(path.dirname(g))}-${stem(g)}+${stem(p)}`, 'csv', description);
  }
  if (req.galleryImages !== undefined || req.probeImages !== undefined) throw new FrwError('BAD_INPUT', 'images folders apply to CSV sets; these sets are folders');
  const gm = await loadFolderDataset(g, { scan: req.scan });
  const pm = await loadFolderDataset(p, { scan: req.scan });
  const description: GalleryProbeDescription = { source: 'two-folders', gallery: g, probe: p, gallerySha256: null, probeSha256: null, splitColumn: null, unknownLabel: req.unknownLabel ?? null };
  return combine(gm, pm, req.name ?? `${path.basename(commonRoot(g, p))}-${path.basename(g)}+${path.basename(p)}`, 'folder', description, req.unknownLabel);
}

function combine(gm: DatasetManifest, pm: DatasetManifest, name: string, kind: 'csv' | 'folder', description: GalleryProbeDescription, unknownFolderLabel?: string): GalleryProbeSets {
  const root = commonRoot(gm.root, pm.root);
  const g = rebase(gm, root, unknownFolderLabel);
  const p = rebase(pm, root, unknownFolderLabel);
  const galleryPaths = new Set(g.images.map((r) => r.path));
  const listedInBoth = p.images.filter((r) => galleryPaths.has(r.path)).map((r) => ({ path: r.path, probeIdentity: r.identity }));
  const images = [...g.images, ...p.images.filter((r) => !galleryPaths.has(r.path))];
  const manifest = buildManifest({ name, kind, root, images, problems: [...g.problems, ...p.problems], flagSingleImageIdentities: false });
  const role = manifest.images.map((r): SetRole => (galleryPaths.has(r.path) ? 'gallery' : 'probe'));
  const listedAs = manifest.images.map((r) => (galleryPaths.has(r.path) ? g.listed.get(r.path)! : p.listed.get(r.path)!));
  return { manifest, role, listedAs, listedInBoth, unassigned: 0, description };
}

/** One CSV with an `image,label` header and a column naming each row's set (SPLIT_COLUMN_VALUES). */
async function splitColumnSets(csvPath: string, column: string, req: GalleryProbeRequest): Promise<GalleryProbeSets> {
  const all = await loadCsvDataset(csvPath, { imagesDir: req.galleryImages, unknownLabel: req.unknownLabel, scan: req.scan });
  const rows = parseCsv(await fs.readFile(csvPath, 'utf8'));
  const header = rows[0].fields.map((f) => f.trim().toLowerCase());
  const [ci, cs] = [header.indexOf('image'), header.indexOf(column.trim().toLowerCase())];
  const fileName = path.basename(csvPath);
  if (cs < 0) throw new FrwError('BAD_INPUT', `${fileName} has no column ${JSON.stringify(column)} (its header: ${rows[0].fields.join(',')})`);
  const roleOf = new Map<string, SetRole>();
  const problems: ManifestProblem[] = [];
  for (const row of rows.slice(1)) {
    // Rows the CSV adapter refused are already its bad rows; only their set value is judged here.
    if (row.error || row.fields.length !== header.length) continue;
    let rel: string;
    try {
      rel = posix(path.relative(all.root, resolveInside(all.root, row.fields[ci].trim())));
    } catch {
      continue;
    }
    const value = row.fields[cs].trim().toLowerCase();
    const role = Object.hasOwn(SPLIT_COLUMN_VALUES, value) ? SPLIT_COLUMN_VALUES[value] : undefined;
    // A repeated row is the adapter's bad row: the first listing decides, as it does for the label.
    if (roleOf.has(rel)) continue;
    if (role) roleOf.set(rel, role);
    else problems.push({ kind: 'bad-row', path: `${fileName}:${row.line}`, message: `${column} must be one of ${Object.keys(SPLIT_COLUMN_VALUES).join(', ')}, got ${JSON.stringify(row.fields[cs])}; the image is in neither set` });
  }
  const kept = all.images.filter((r) => roleOf.has(r.path));
  const manifest = buildManifest({ name: req.name ?? `${all.name}-${column}`, kind: 'csv', root: all.root, images: kept, problems: [...all.problems.filter((x) => x.kind !== 'single-image-identity' && x.kind !== 'duplicate-image'), ...problems], flagSingleImageIdentities: false });
  const sha = await csvSha(csvPath);
  return {
    manifest,
    role: manifest.images.map((r) => roleOf.get(r.path)!),
    listedAs: manifest.images.map((r) => r.path),
    listedInBoth: [],
    unassigned: all.images.length - kept.length,
    description: { source: 'split-column', gallery: csvPath, probe: csvPath, gallerySha256: sha, probeSha256: sha, splitColumn: column, unknownLabel: req.unknownLabel ?? null },
  };
}

import fs from 'node:fs/promises';
import path from 'node:path';
import { FrwError, errorMessage } from '../core/errors.js';
import { resolveInside } from '../core/paths.js';
import { UNKNOWN_IDENTITY_PREFIX, type DatasetManifest, type ManifestProblem } from './manifest.js';
import type { ImageEntry, ScanOptions } from './scan.js';
import { buildManifest, probeEntries } from './scan.js';

/** One CSV record with the 1-based line it starts on (quoted fields may span lines). */
export interface CsvRow {
  line: number;
  fields: string[];
  /** Set when the record cannot be trusted (an unterminated quote); fields are then partial. */
  error?: string;
}

/**
 * RFC 4180 CSV: comma-separated, `"…"` quoting with `""` escapes, CRLF or LF, a leading BOM ignored, blank
 * lines skipped. Lenient on a quote inside an unquoted field (kept literally), since hand-edited label files have
 * them.
 */
export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let line = 1;
  let i = 0;
  while (i < s.length) {
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let error: string | undefined;
    for (;;) {
      if (s[i] === '"') {
        i++;
        let closed = false;
        while (i < s.length) {
          if (s[i] === '"') {
            if (s[i + 1] === '"') { field += '"'; i += 2; continue; }
            i++;
            closed = true;
            break;
          }
          if (s[i] === '\n') line++;
          field += s[i++];
        }
        if (!closed) error = 'unterminated quoted field';
        // Text between a closing quote and the next comma is kept, not fatal.
        while (i < s.length && s[i] !== ',' && s[i] !== '\n' && s[i] !== '\r') field += s[i++];
      } else {
        while (i < s.length && s[i] !== ',' && s[i] !== '\n' && s[i] !== '\r') field += s[i++];
      }
      fields.push(field);
      field = '';
      if (s[i] === ',') { i++; continue; }
      break;
    }
    if (s[i] === '\r') i++;
    if (s[i] === '\n') { i++; line++; }
    const blank = fields.length === 1 && fields[0].trim() === '' && !error;
    if (!blank) rows.push(error ? { line: startLine, fields, error } : { line: startLine, fields });
  }
  return rows;
}

/** Options for a CSV-labelled set (aivivn `train.csv` style). */
export interface CsvDatasetOptions {
  /** Display name; defaults to `<folder>-<csv stem>`. */
  name?: string;
  /** Folder the image column is relative to; relative values resolve against the CSV's folder. */
  imagesDir?: string;
  /** Label carried by never-enrolled people (aivivn: '1000'); such rows get identity `unknown:<path>`. */
  unknownLabel?: string;
  scan?: ScanOptions;
}

/** Column indices of the two columns the layout needs. */
export interface CsvColumns {
  image: number;
  label: number;
}

/** Find the `image` and `label` columns in a header row (case-insensitive), or undefined when either is absent. */
export function imageLabelColumns(header: readonly string[]): CsvColumns | undefined {
  const names = header.map((h) => h.trim().toLowerCase());
  const image = names.indexOf('image');
  const label = names.indexOf('label');
  return image >= 0 && label >= 0 ? { image, label } : undefined;
}

const isDir = async (p: string): Promise<boolean> => (await fs.stat(p).catch(() => undefined))?.isDirectory() ?? false;
const exists = async (p: string): Promise<boolean> => (await fs.stat(p).catch(() => undefined)) !== undefined;

/**
 * Where the images of a CSV live when the caller does not say. Rule: the first of `<csv stem>/`, `images/` and
 * `train/` next to the CSV that holds the first listed image; otherwise the CSV's own folder (which is also
 * right when the image column already carries a `train/…` prefix).
 */
export async function defaultImagesDir(csvPath: string, firstImage: string | undefined): Promise<string> {
  const dir = path.dirname(path.resolve(csvPath));
  const stem = path.basename(csvPath, path.extname(csvPath));
  for (const sub of [...new Set([stem, 'images', 'train'])]) {
    const cand = path.join(dir, sub);
    if (!(await isDir(cand)) || firstImage === undefined) continue;
    try {
      if (await exists(resolveInside(cand, firstImage))) return cand;
    } catch {
      // A first row that escapes is a bad row later; it cannot pick the folder.
    }
  }
  return dir;
}

/**
 * Load a set described by a CSV with `image,label` columns (header required, other columns ignored). Rows that
 * do not parse, repeat an image or point outside the images folder become 'bad-row' problems (`<file>:<line>`)
 * and are never read; listed files that do not exist become 'missing-file' problems.
 */
export async function loadCsvDataset(csvPath: string, opts: CsvDatasetOptions = {}): Promise<DatasetManifest> {
  const abs = path.resolve(csvPath);
  let text: string;
  try {
    text = await fs.readFile(abs, 'utf8');
  } catch (e) {
    throw new FrwError('NOT_FOUND', `cannot read CSV ${abs}: ${errorMessage(e)}`);
  }
  const fileName = path.basename(abs);
  const rows = parseCsv(text);
  const cols = rows.length > 0 && !rows[0].error ? imageLabelColumns(rows[0].fields) : undefined;
  if (!cols) {
    throw new FrwError('BAD_INPUT', `${fileName}: the first line must be a header naming image and label columns, got ${JSON.stringify(rows[0]?.fields.join(',') ?? '')}`);
  }
  const width = rows[0].fields.length;
  const body = rows.slice(1);
  const firstImage = body.find((r) => !r.error && r.fields.length === width && r.fields[cols.image].trim() !== '')?.fields[cols.image].trim();
  const imagesDir = opts.imagesDir !== undefined ? path.resolve(path.dirname(abs), opts.imagesDir) : await defaultImagesDir(abs, firstImage);
  if (!(await isDir(imagesDir))) throw new FrwError('NOT_FOUND', `images folder ${imagesDir} does not exist`);

  const problems: ManifestProblem[] = [];
  const bad = (line: number, message: string) => problems.push({ kind: 'bad-row', path: `${fileName}:${line}`, message });
  const entries: ImageEntry[] = [];
  const seen = new Map<string, number>();
  for (const row of body) {
    if (row.error) { bad(row.line, row.error); continue; }
    if (row.fields.length !== width) { bad(row.line, `expected ${width} fields, got ${row.fields.length}`); continue; }
    const image = row.fields[cols.image].trim();
    const label = row.fields[cols.label].trim();
    if (image === '' || label === '') { bad(row.line, 'empty image or label'); continue; }
    let rel: string;
    try {
      const resolved = resolveInside(imagesDir, image);
      if (resolved === path.resolve(imagesDir)) throw new FrwError('BAD_INPUT', 'image path names the images folder itself');
      rel = path.relative(imagesDir, resolved).split(path.sep).join('/');
    } catch (e) {
      bad(row.line, errorMessage(e));
      continue;
    }
    const earlier = seen.get(rel);
    if (earlier !== undefined) { bad(row.line, `${rel} is already listed on line ${earlier}`); continue; }
    seen.set(rel, row.line);
    const unknown = opts.unknownLabel !== undefined && label === opts.unknownLabel;
    // The unknown label groups strangers, it does not name one person: each image is its own unknown identity.
    entries.push({ path: rel, identity: unknown ? UNKNOWN_IDENTITY_PREFIX + rel : label, unknown });
  }
  const probed = await probeEntries(imagesDir, entries, opts.scan);
  const located = probed.problems.map((p) => (p.kind === 'missing-file' ? { ...p, message: `${p.message} (listed on ${fileName}:${seen.get(p.path)})` } : p));
  return buildManifest({
    name: opts.name ?? `${path.basename(path.dirname(abs))}-${path.basename(abs, path.extname(abs))}`,
    kind: 'csv',
    root: imagesDir,
    images: probed.images,
    problems: [...problems, ...located],
    flagSingleImageIdentities: true,
  });
}

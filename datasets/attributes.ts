/**
 * Attributes a user supplies for group differentials (docs/metrics.md): a CSV whose first column is `image` (a
 * path as the manifest names it) or `identity`, and whose other columns are attributes (age band, skin tone…).
 * An empty cell means "not known". Every row must be usable: a row naming no image or identity of the dataset, a
 * key given twice with different values, or a malformed line is refused with where it is, never skipped.
 */
import fs from 'node:fs';
import { FrwError } from '../core/errors.js';
import { parseCsv } from './csv.js';
import type { DatasetManifest } from './manifest.js';

/** One attribute's value per manifest image (null: not known for that image), and where it came from. */
export interface ImageAttribute {
  name: string;
  /** Derived from the images themselves, or read from a file the user supplied. */
  source: 'derived' | 'supplied';
  /** Whether the value describes the image or the person (a per-identity value is copied to each image). */
  per: 'image' | 'identity';
  values: ReadonlyArray<string | null>;
}

/** Bounds on a metadata sheet: it is one line per image or person, not a data set. */
export const ATTRIBUTE_LIMITS = { bytes: 64 * 1024 * 1024, columns: 32, valueLength: 200, groupsPerAttribute: 200 } as const;

export function readAttributeFile(file: string, manifest: DatasetManifest): ImageAttribute[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new FrwError('NOT_FOUND', `attribute file ${file} does not exist`);
  }
  if (!stat.isFile()) throw new FrwError('BAD_INPUT', `attribute file ${file} is not a file`);
  if (stat.size > ATTRIBUTE_LIMITS.bytes) throw new FrwError('TOO_LARGE', `attribute file ${file} is ${stat.size} bytes; the limit is ${ATTRIBUTE_LIMITS.bytes}`);
  return parseAttributes(fs.readFileSync(file, 'utf8'), manifest, file);
}

/** The CSV text against the manifest: one ImageAttribute per attribute column. */
export function parseAttributes(text: string, manifest: DatasetManifest, source = 'attributes'): ImageAttribute[] {
  const rows = parseCsv(text);
  if (rows.length < 2) throw new FrwError('BAD_INPUT', `${source}: needs a header line and at least one row`);
  const header = rows[0].fields.map((h) => h.trim());
  const key = header[0]?.toLowerCase();
  if (key !== 'image' && key !== 'identity') throw new FrwError('BAD_INPUT', `${source}: the first column must be "image" or "identity", got "${header[0]}"`);
  const names = header.slice(1);
  if (names.length === 0) throw new FrwError('BAD_INPUT', `${source}: no attribute columns after "${header[0]}"`);
  if (names.length > ATTRIBUTE_LIMITS.columns) throw new FrwError('BAD_INPUT', `${source}: ${names.length} attribute columns; at most ${ATTRIBUTE_LIMITS.columns}`);
  if (names.some((n) => n === '') || new Set(names).size !== names.length) throw new FrwError('BAD_INPUT', `${source}: attribute names must be non-empty and distinct, got ${JSON.stringify(names)}`);
  // Key → the manifest images it covers.
  const index = new Map<string, number[]>();
  manifest.images.forEach((img, i) => {
    const k = key === 'image' ? img.path : img.identity;
    const list = index.get(k);
    if (list) list.push(i);
    else index.set(k, [i]);
  });
  const values = names.map(() => new Array<string | null>(manifest.images.length).fill(null));
  const seen = new Map<string, number>();
  for (const row of rows.slice(1)) {
    const where = `${source}:${row.line}`;
    if (row.error) throw new FrwError('BAD_INPUT', `${where}: ${row.error}`);
    if (row.fields.length !== header.length) throw new FrwError('BAD_INPUT', `${where}: ${row.fields.length} fields, the header has ${header.length}`);
    const k = row.fields[0].trim();
    const images = index.get(k);
    if (!images) throw new FrwError('BAD_INPUT', `${where}: no ${key} "${k}" in dataset ${manifest.name}${key === 'image' ? ' (paths are relative to the dataset root, with forward slashes)' : ''}`);
    if (seen.has(k)) throw new FrwError('BAD_INPUT', `${where}: ${key} "${k}" is given twice (first on line ${seen.get(k)})`);
    seen.set(k, row.line);
    names.forEach((_, c) => {
      const v = row.fields[c + 1].trim();
      if (v.length > ATTRIBUTE_LIMITS.valueLength) throw new FrwError('BAD_INPUT', `${where}: a value of ${v.length} characters; at most ${ATTRIBUTE_LIMITS.valueLength}`);
      for (const i of images) values[c][i] = v === '' ? null : v;
    });
  }
  return names.map((name, c) => {
    const groups = new Set(values[c].filter((v) => v !== null)).size;
    if (groups > ATTRIBUTE_LIMITS.groupsPerAttribute) throw new FrwError('BAD_INPUT', `${source}: attribute "${name}" has ${groups} distinct values; group differentials take at most ${ATTRIBUTE_LIMITS.groupsPerAttribute} (is it an id column?)`);
    return { name, source: 'supplied' as const, per: key as 'image' | 'identity', values: values[c] };
  });
}

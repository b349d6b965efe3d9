import fs from 'node:fs/promises';
import path from 'node:path';
import type { FrwConfig } from '../core/config.js';
import { FrwError } from '../core/errors.js';
import { resolveInside } from '../core/paths.js';
import { imageLabelColumns, loadCsvDataset, parseCsv } from './csv.js';
import { loadFolderDataset } from './folder.js';
import { LFW_IMAGE_DIRS, loadLfwDataset } from './lfw.js';
import type { DatasetKind, DatasetManifest } from './manifest.js';
import { findPairSheet, hasTopLevelImages, isPairSheet, loadPairsDataset } from './pairs.js';
import type { ScanOptions } from './scan.js';

/** How to open a dataset; everything is optional, detection fills the rest. */
export interface OpenDatasetOptions {
  /** Skip detection and read the data with this layout. */
  kind?: DatasetKind;
  /** Folder sets: a second folder of never-enrolled people. */
  unknownPath?: string;
  /** CSV sets: the label never-enrolled people carry. */
  unknownLabel?: string;
  /** CSV sets: the folder the image column is relative to. */
  imagesDir?: string;
  /** Pair-only sets: the pair sheet (a relative path resolves against the dataset folder). Implies kind 'pairs'. */
  pairsPath?: string;
  /** Scan tuning; the cache is always the config's workspace. */
  scan?: Omit<ScanOptions, 'cfg'>;
}

/** What detection decided about a path. */
export interface DetectedDataset {
  kind: DatasetKind;
  /** The dataset folder (for CSV sets, the folder holding the CSV). */
  dir: string;
  /** The CSV file, for CSV sets. */
  csvPath?: string;
  /** The pair sheet, for pair-only sets (absent when `kind` was given and none is found: loading says so). */
  pairsPath?: string;
}

const statOf = (p: string) => fs.stat(p).catch(() => undefined);

/** True for something meant as a path rather than a dataset name: it has a separator or starts with `.`. */
export function looksLikePath(nameOrPath: string): boolean {
  return nameOrPath.startsWith('.') || nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.includes(path.sep);
}

/** Dataset folders directly under the data root (hidden ones left out), sorted; [] when the root is absent. */
export async function listDatasets(cfg: Pick<FrwConfig, 'dataRoot'>): Promise<string[]> {
  const list = await fs.readdir(cfg.dataRoot, { withFileTypes: true }).catch(() => []);
  return list.filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
}

/**
 * Absolute location of a dataset: a bare name resolves inside the data root, a path against the working folder.
 * Throws NOT_FOUND, listing the datasets that do exist, when there is nothing there.
 */
export async function resolveDatasetPath(nameOrPath: string, cfg: Pick<FrwConfig, 'dataRoot'>): Promise<string> {
  if (nameOrPath.trim() === '') throw new FrwError('BAD_INPUT', 'dataset name is empty');
  const abs = looksLikePath(nameOrPath) ? path.resolve(nameOrPath) : resolveInside(cfg.dataRoot, nameOrPath);
  if (!(await statOf(abs))) {
    const available = await listDatasets(cfg);
    const list = available.length > 0 ? available.join(', ') : '(none)';
    throw new FrwError('NOT_FOUND', `dataset ${JSON.stringify(nameOrPath)} not found (looked at ${abs}); datasets under ${cfg.dataRoot}: ${list}`, { path: abs, available });
  }
  return abs;
}

/** CSV files directly in `dir` whose header names image and label columns. */
async function labelCsvs(dir: string, names: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const n of names.filter((x) => x.toLowerCase().endsWith('.csv') && !x.startsWith('.'))) {
    const handle = await fs.open(path.join(dir, n), 'r').catch(() => undefined);
    if (!handle) continue;
    try {
      // The header is all detection needs; 4 KiB covers any sane header without reading a 17k-row file.
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
      const header = parseCsv(buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0] ?? '')[0];
      if (header && imageLabelColumns(header.fields)) found.push(path.join(dir, n));
    } finally {
      await handle.close();
    }
  }
  return found;
}

/**
 * Decide a path's layout. A `.csv` file is a CSV set, or a pair-only set when its header names pair columns
 * (pair-sheet.ts). A folder with `pairs.txt` and either an LFW image folder or identity folders is LFW. A folder with
 * exactly one CSV whose header has `image` and `label` is a CSV set (several such CSVs are ambiguous: name the file).
 * A folder with images at its top level, no identity folders and a pair sheet (`pairs.csv`, or its one CSV with a
 * pair header) is a pair-only set; so is any folder given a sheet (`pairsPath`). Anything else is one folder per
 * identity.
 */
export async function detectDataset(absPath: string, kind?: DatasetKind, pairsPath?: string): Promise<DetectedDataset> {
  if (pairsPath !== undefined && kind !== undefined && kind !== 'pairs') throw new FrwError('BAD_INPUT', `a pair sheet (--pairs) makes a pairs dataset; --kind says ${kind}`);
  const st = await statOf(absPath);
  if (st?.isFile()) {
    if (pairsPath !== undefined) throw new FrwError('BAD_INPUT', `${absPath} is a file; --pairs names the sheet of a folder of images`);
    if (kind === 'pairs' || (kind === undefined && absPath.toLowerCase().endsWith('.csv') && (await isPairSheet(absPath)))) return { kind: 'pairs', dir: path.dirname(absPath), pairsPath: absPath };
    if (kind !== undefined && kind !== 'csv') throw new FrwError('BAD_INPUT', `${absPath} is a file; only a csv or pairs dataset can be a file`);
    if (!absPath.toLowerCase().endsWith('.csv') && kind === undefined) throw new FrwError('UNSUPPORTED', `${absPath} is a file but not a .csv`);
    return { kind: 'csv', dir: path.dirname(absPath), csvPath: absPath };
  }
  if (pairsPath !== undefined || kind === 'pairs') {
    const sheet = pairsPath !== undefined ? path.resolve(absPath, pairsPath) : await findPairSheet(absPath);
    return sheet === undefined ? { kind: 'pairs', dir: absPath } : { kind: 'pairs', dir: absPath, pairsPath: sheet };
  }
  const entries = await fs.readdir(absPath, { withFileTypes: true });
  const names = entries.map((e) => e.name);
  const csvs = kind === undefined || kind === 'csv' ? await labelCsvs(absPath, names) : [];
  if (kind === 'csv' || (kind === undefined && csvs.length > 0 && !names.includes('pairs.txt'))) {
    if (csvs.length === 1) return { kind: 'csv', dir: absPath, csvPath: csvs[0] };
    const what = csvs.length === 0 ? 'no CSV with image and label columns' : `several label CSVs (${csvs.map((c) => path.basename(c)).join(', ')})`;
    throw new FrwError('BAD_INPUT', `${absPath} holds ${what}: pass the CSV file itself`);
  }
  if (kind !== undefined) return { kind, dir: absPath };
  const hasIdentityDirs = entries.some((e) => e.isDirectory() && !e.name.startsWith('.'));
  const hasLfwDir = entries.some((e) => e.isDirectory() && (LFW_IMAGE_DIRS as readonly string[]).includes(e.name));
  if (names.includes('pairs.txt') && (hasLfwDir || hasIdentityDirs)) return { kind: 'lfw', dir: absPath };
  if (!hasIdentityDirs && (await hasTopLevelImages(absPath))) {
    const sheet = await findPairSheet(absPath);
    if (sheet !== undefined) return { kind: 'pairs', dir: absPath, pairsPath: sheet };
  }
  return { kind: 'folder', dir: absPath };
}

/**
 * Open a dataset by name (`lfw`, `lfw-mini`, `five-celeb`, any folder under cfg.dataRoot) or by path, detect
 * its layout unless `opts.kind` says, and build its manifest with the workspace scan cache.
 */
export async function openDataset(nameOrPath: string, cfg: Pick<FrwConfig, 'dataRoot' | 'workspace'>, opts: OpenDatasetOptions = {}): Promise<DatasetManifest> {
  const abs = await resolveDatasetPath(nameOrPath, cfg);
  const found = await detectDataset(abs, opts.kind, opts.pairsPath);
  const name = looksLikePath(nameOrPath) ? undefined : nameOrPath;
  const scan: ScanOptions = { ...opts.scan, cfg };
  if (opts.unknownPath !== undefined && found.kind !== 'folder') {
    throw new FrwError('BAD_INPUT', `unknownPath applies to folder datasets; ${abs} is a ${found.kind} dataset`);
  }
  if ((opts.unknownLabel !== undefined || opts.imagesDir !== undefined) && found.kind !== 'csv') {
    throw new FrwError('BAD_INPUT', `unknownLabel and imagesDir apply to csv datasets; ${abs} is a ${found.kind} dataset`);
  }
  switch (found.kind) {
    case 'pairs':
      return loadPairsDataset(found.dir, { name, scan, sheet: found.pairsPath });
    case 'lfw':
      return loadLfwDataset(found.dir, { name, scan });
    case 'csv':
      return loadCsvDataset(found.csvPath!, { name, scan, unknownLabel: opts.unknownLabel, imagesDir: opts.imagesDir });
    case 'folder':
      return loadFolderDataset(found.dir, { name, scan, unknownPath: opts.unknownPath });
  }
}

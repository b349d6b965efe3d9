import fs from 'node:fs';
import path from 'node:path';
import { oneOf } from '../../core/choice.js';
import type { FrwConfig } from '../../core/config.js';
import { FrwError } from '../../core/errors.js';
import { acquireLock, writeFileAtomic } from '../../core/lock.js';
import { resolveInside } from '../../core/paths.js';
import { DATASET_KINDS, type DatasetKind, type DatasetManifest, type ImageRecord } from '../../datasets/manifest.js';
import { detectDataset, listDatasets, openDataset, type OpenDatasetOptions } from '../../datasets/resolve.js';

/** A dataset the user registered from the workbench: a folder or CSV under the data root, with its options. */
export interface RegisteredDataset {
  name: string;
  /** Relative to the data root (never outside it). */
  path: string;
  kind?: DatasetKind;
  unknownLabel?: string;
  /** CSV sets: the folder the image column is relative to, relative to the data root. */
  imagesDir?: string;
  /** Folder sets: a second folder of never-enrolled people, relative to the data root. */
  unknownPath?: string;
  addedAt: string;
}

export interface DatasetListing {
  name: string;
  kind: DatasetKind | null;
  source: 'data-root' | 'registered';
  /** Why the layout could not be read (kind null). */
  problem?: string;
}

const NAME = /^[\w][\w.-]{0,63}$/;
/** Manifests are re-read after this long, so a dataset edited on disk shows up without a restart. */
const MANIFEST_TTL_MS = 60_000;

/**
 * The datasets the workbench offers: every folder directly under the data root, plus registered ones (kept in
 * `<workspace>/datasets.json`). Everything resolves inside the data root; manifests are cached briefly.
 */
export class WorkbenchDatasets {
  private readonly manifests = new Map<string, { at: number; manifest: Promise<DatasetManifest> }>();
  private readonly file: string;

  constructor(private readonly cfg: FrwConfig) {
    this.file = path.join(cfg.workspace, 'datasets.json');
  }

  registered(): RegisteredDataset[] {
    if (!fs.existsSync(this.file)) return [];
    try {
      const list = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { datasets: RegisteredDataset[] };
      return Array.isArray(list.datasets) ? list.datasets : [];
    } catch (e) {
      throw new FrwError('BAD_INPUT', `${this.file} is not valid JSON (${(e as Error).message}); fix or delete it`);
    }
  }

  async list(): Promise<DatasetListing[]> {
    // A path that cannot be opened (a registered path that now crosses a link) is that dataset's problem, not the list's.
    const kindOf = async (where: string | (() => string), kind?: DatasetKind) => {
      try {
        const abs = typeof where === 'string' ? where : where();
        return { kind: (await detectDataset(abs, kind)).kind };
      } catch (e) {
        return { kind: null, problem: (e as Error).message };
      }
    };
    const fromRoot = await Promise.all((await listDatasets(this.cfg)).map(async (name) => ({ name, source: 'data-root' as const, ...(await kindOf(path.join(this.cfg.dataRoot, name))) })));
    const reg = await Promise.all(this.registered().map(async (r) => ({ name: r.name, source: 'registered' as const, ...(await kindOf(() => resolveInside(this.cfg.dataRoot, r.path), r.kind)) })));
    return [...fromRoot, ...reg];
  }

  /** Check a name is a dataset the workbench offers (404 otherwise) and open its manifest. */
  open(name: string): Promise<DatasetManifest> {
    checkName(name);
    const hit = this.manifests.get(name);
    if (hit && Date.now() - hit.at < MANIFEST_TTL_MS) return hit.manifest;
    const manifest = this.openUncached(name);
    this.manifests.set(name, { at: Date.now(), manifest });
    manifest.catch(() => this.manifests.delete(name));
    return manifest;
  }

  private async openUncached(name: string): Promise<DatasetManifest> {
    const reg = this.registered().find((r) => r.name === name);
    if (reg) {
      const manifest = await openDataset(resolveInside(this.cfg.dataRoot, reg.path), this.cfg, optionsOf(this.cfg, reg));
      return { ...manifest, name };
    }
    if (!fs.existsSync(resolveInside(this.cfg.dataRoot, name))) {
      throw new FrwError('NOT_FOUND', `no dataset "${name}" under the data root or among the registered ones`);
    }
    return openDataset(name, this.cfg);
  }

  /** Register a dataset after opening it once (a layout that cannot be read is refused, nothing saved). */
  async register(input: Record<string, unknown>): Promise<{ entry: RegisteredDataset; manifest: DatasetManifest }> {
    const str = (v: unknown, what: string) => {
      if (v === undefined || v === null || v === '') return undefined;
      if (typeof v !== 'string') throw new FrwError('BAD_INPUT', `${what} must be a string`);
      return v;
    };
    const name = str(input.name, 'name');
    if (!name) throw new FrwError('BAD_INPUT', 'name is required');
    checkName(name);
    const rel = str(input.path, 'path');
    if (!rel) throw new FrwError('BAD_INPUT', 'path is required (relative to the data root)');
    const kindText = str(input.kind, 'kind');
    const kind = kindText === undefined ? undefined : oneOf(DATASET_KINDS, kindText, 'kind');
    const entry: RegisteredDataset = { name, path: rel, kind, unknownLabel: str(input.unknownLabel, 'unknownLabel'), imagesDir: str(input.imagesDir, 'imagesDir'), unknownPath: str(input.unknownPath, 'unknownPath'), addedAt: new Date().toISOString() };
    const abs = resolveInside(this.cfg.dataRoot, rel);
    for (const p of [entry.unknownPath, entry.imagesDir]) if (p !== undefined) resolveInside(this.cfg.dataRoot, p);
    if (!fs.existsSync(abs)) throw new FrwError('NOT_FOUND', `nothing at ${rel} under the data root ${this.cfg.dataRoot}`);
    fs.mkdirSync(this.cfg.workspace, { recursive: true });
    const release = acquireLock(this.file + '.lock', 'the dataset registry');
    try {
      if ((await listDatasets(this.cfg)).includes(name) || this.registered().some((r) => r.name === name)) {
        throw new FrwError('CONFLICT', `a dataset named "${name}" already exists; choose another name`);
      }
      const manifest = { ...(await openDataset(abs, this.cfg, optionsOf(this.cfg, entry))), name };
      const clean = Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as unknown as RegisteredDataset;
      writeFileAtomic(this.file, JSON.stringify({ datasets: [...this.registered(), clean] }, null, 2) + '\n');
      this.manifests.set(name, { at: Date.now(), manifest: Promise.resolve(manifest) });
      return { entry: clean, manifest };
    } finally {
      release();
    }
  }

  /** One of a dataset's own images by its manifest path (so nothing else is served): its record and file. */
  async image(name: string, rel: string): Promise<{ record: ImageRecord; file: string }> {
    const manifest = await this.open(name);
    const record = manifest.images.find((i) => i.path === rel);
    if (!record) throw new FrwError('NOT_FOUND', `${name} has no image ${JSON.stringify(rel)}`);
    return { record, file: resolveInside(manifest.root, rel) };
  }
}

function checkName(name: string): void {
  if (!NAME.test(name) || name.includes('..')) throw new FrwError('OUTSIDE_ROOT', `dataset name ${JSON.stringify(name)} is not a plain name (letters, digits, . _ -)`);
}

function optionsOf(cfg: FrwConfig, r: Pick<RegisteredDataset, 'kind' | 'unknownLabel' | 'imagesDir' | 'unknownPath'>): OpenDatasetOptions {
  const inRoot = (p?: string) => (p === undefined ? undefined : resolveInside(cfg.dataRoot, p));
  return { kind: r.kind, unknownLabel: r.unknownLabel, imagesDir: inRoot(r.imagesDir), unknownPath: inRoot(r.unknownPath) };
}

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Metadata } from 'sharp';
import type { FrwConfig } from '../core/config.js';
import { workspacePaths } from '../core/config.js';
import { failureReasonOf } from '../core/failures.js';
import { writeFileAtomic } from '../core/lock.js';
import { sha256Hex } from '../core/hash.js';
import { DEFAULT_DECODE, decodeImage, isEffectivelyGray } from './image.js';
import type { DatasetKind, DatasetManifest, DatasetPair, IdentitySummary, ImageRecord, ManifestProblem, ProblemKind } from './manifest.js';
import { sniffFormat } from './formats.js';

/** What probing one file tells the manifest: every ImageRecord field that comes from the bytes. */
export interface ProbeResult {
  sha256: string;
  bytes: number;
  width: number;
  height: number;
  grayscale: boolean;
  format: string;
  /** Set when the file cannot be used; its kind is the acquisition failure reason (or 'missing-file'). */
  problem?: ManifestProblem;
}

const GRAY_PROBE_SIDE = 32;
// Measured with sharp 0.35: below ~350×350 a plain decode beats a resize pipeline (whose setup costs ~1 ms),
// above it the 32×32 shrink wins (2× at 800×800). LFW's 250×250 images take the plain path.
const PLAIN_DECODE_MAX_PIXELS = 400 * 400;

/**
 * Hash and measure one file without the full decodeImage pipeline: sharp's header read gives size and format, a
 * cheap decode (32×32 for large images) decides grayscale. Anything sharp cannot read goes through decodeImage,
 * which knows PNM and classifies failures. Never throws: unreadable files come back with a problem.
 */
export async function probeImage(absPath: string, relPath: string): Promise<ProbeResult> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(absPath);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    return failed('', 0, { kind: missing ? 'missing-file' : 'unreadable', path: relPath, message: missing ? 'file does not exist' : `cannot read file: ${(e as Error).message}` });
  }
  const sha256 = sha256Hex(buf);
  if (buf.length === 0) return failed(sha256, 0, { kind: 'empty-file', path: relPath, message: 'file is empty (0 bytes)' });
  // The allowlist first: no other format reaches sharp (an SVG there would be rendered, at any CPU cost).
  const format0 = sniffFormat(buf);
  if (format0 === null || format0 === 'pnm') return fullDecode(buf, sha256, relPath);

  let meta: Metadata;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch {
    return fullDecode(buf, sha256, relPath);
  }
  const w0 = meta.width ?? 0;
  const h0 = meta.height ?? 0;
  // EXIF orientations 5-8 transpose the image; the manifest reports what a viewer shows.
  const swap = (meta.orientation ?? 1) >= 5;
  const width = swap ? h0 : w0;
  const height = swap ? w0 : h0;
  const format = meta.format ?? 'unknown';
  // sharp picks its decoder from the bytes too: it must be the one the allowlist saw, or decodeImage decides.
  if (format !== format0) return fullDecode(buf, sha256, relPath);
  if (!(width > 0 && height > 0)) return fullDecode(buf, sha256, relPath);
  if ((width * height) / 1e6 > DEFAULT_DECODE.maxMegapixels) {
    // Keep the size so the report can say how large; never decode a possible decompression bomb.
    const message = `image is ${((width * height) / 1e6).toFixed(1)} MP (${width}x${height}), over the ${DEFAULT_DECODE.maxMegapixels} MP cap`;
    return { sha256, bytes: buf.length, width, height, grayscale: false, format, problem: { kind: 'too-large', path: relPath, message } };
  }
  if (meta.channels === 1 || meta.channels === 2) return { sha256, bytes: buf.length, width, height, grayscale: true, format };
  try {
    let pipeline = sharp(buf, { failOn: 'truncated' }).timeout({ seconds: 10 });
    if (w0 * h0 > PLAIN_DECODE_MAX_PIXELS) pipeline = pipeline.resize(GRAY_PROBE_SIDE, GRAY_PROBE_SIDE, { fit: 'fill' });
    const { data, info } = await pipeline.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const grayscale = info.channels === 3 ? isEffectivelyGray({ width: info.width, height: info.height, data }) : true;
    return { sha256, bytes: buf.length, width, height, grayscale, format };
  } catch {
    // A header that reads but pixels that do not (truncated, corrupt): let decodeImage name the reason.
    return fullDecode(buf, sha256, relPath);
  }
}

async function fullDecode(buf: Buffer, sha256: string, relPath: string): Promise<ProbeResult> {
  try {
    const d = await decodeImage(buf);
    return { sha256, bytes: buf.length, width: d.originalWidth, height: d.originalHeight, grayscale: d.grayscale, format: d.format };
  } catch (e) {
    const { reason, message } = failureReasonOf(e);
    // Face-level reasons cannot come out of a decoder; anything odd is 'unreadable'.
    const kind = DECODE_FAILURES.find((k) => k === reason) ?? 'unreadable';
    return failed(sha256, buf.length, { kind, path: relPath, message: message.split('\n')[0] });
  }
}

const DECODE_FAILURES: readonly ProblemKind[] = ['empty-file', 'not-an-image', 'unsupported-format', 'truncated', 'too-large', 'unreadable'];

function failed(sha256: string, bytes: number, problem: ManifestProblem): ProbeResult {
  return { sha256, bytes, width: 0, height: 0, grayscale: false, format: '', problem };
}

/**
 * Map with at most `limit` calls in flight, results in input order. Stops starting new calls after the first
 * rejection, which it rethrows.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failedFast = false;
  const worker = async (): Promise<void> => {
    while (!failedFast && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (e) {
        failedFast = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** How to scan: without `cfg` nothing is cached. */
export interface ScanOptions {
  /** Workspace whose manifests cache folder keeps probe results between scans. */
  cfg?: Pick<FrwConfig, 'workspace'>;
  /** Probes in flight at once (default 8). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  /** Called once per scan with its counts, so callers (and tests) can see what the cache saved. */
  onStats?: (stats: ScanStats) => void;
}

export interface ScanStats {
  files: number;
  /** Files whose bytes were read and probed in this scan. */
  probed: number;
  /** Files answered from the scan cache (same size and mtime as last time). */
  cached: number;
  /** Absolute path of the cache file, when caching. */
  cacheFile?: string;
}

export interface ScanResult {
  /** One result per requested path, same order. */
  results: ProbeResult[];
  stats: ScanStats;
}

type CacheEntry = { size: number; mtimeMs: number; result: ProbeResult };
type CacheFile = { version: number; root: string; entries: Record<string, CacheEntry> };
// Bump when probeImage changes what it reports, so old caches are not trusted.
// 2: the decode allowlist (SVG and other formats are problems now) and end-marker truncation changed probe results.
const CACHE_VERSION = 2;

/** The cache file for one dataset root: named by a hash of the root so any path maps to a safe file name. */
export function scanCachePath(cfg: Pick<FrwConfig, 'workspace'>, root: string): string {
  const key = sha256Hex(path.resolve(root)).slice(0, 24);
  return path.join(workspacePaths(cfg).manifests, `scan-${key}.json`);
}

async function readCache(file: string, root: string): Promise<Map<string, CacheEntry>> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as CacheFile;
    if (parsed.version !== CACHE_VERSION || parsed.root !== root || typeof parsed.entries !== 'object') return new Map();
    return new Map(Object.entries(parsed.entries));
  } catch {
    // Missing or corrupt cache: a full scan rebuilds it.
    return new Map();
  }
}

/**
 * Probe `relPaths` under `root`, reusing cached results for files whose size and mtime did not change. Files
 * that do not exist come back with a 'missing-file' problem and are never cached.
 */
export async function scanFiles(root: string, relPaths: readonly string[], opts: ScanOptions = {}): Promise<ScanResult> {
  const absRoot = path.resolve(root);
  const cacheFile = opts.cfg ? scanCachePath(opts.cfg, absRoot) : undefined;
  const cache = cacheFile ? await readCache(cacheFile, absRoot) : new Map<string, CacheEntry>();
  const fresh: Record<string, CacheEntry> = {};
  let probed = 0;
  let cached = 0;
  let done = 0;
  const results = await mapLimit(relPaths, opts.concurrency ?? 8, async (rel) => {
    const abs = path.join(absRoot, rel);
    let result: ProbeResult;
    const st = await fs.stat(abs).catch((e: NodeJS.ErrnoException) => e);
    if (st instanceof Error) {
      result = await probeImage(abs, rel);
    } else if (!st.isFile()) {
      result = failed('', 0, { kind: 'unreadable', path: rel, message: 'not a regular file' });
    } else {
      const hit = cache.get(rel);
      if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && hit.result) {
        result = hit.result;
        cached++;
      } else {
        result = await probeImage(abs, rel);
        probed++;
      }
      fresh[rel] = { size: st.size, mtimeMs: st.mtimeMs, result };
    }
    opts.onProgress?.(++done, relPaths.length);
    return result;
  });
  // Rewrite only when something changed: a cached re-scan of LFW then costs no write at all.
  if (cacheFile && (probed > 0 || Object.keys(fresh).length !== cache.size)) {
    writeFileAtomic(cacheFile, JSON.stringify({ version: CACHE_VERSION, root: absRoot, entries: fresh } satisfies CacheFile));
  }
  const stats: ScanStats = { files: relPaths.length, probed, cached, cacheFile };
  opts.onStats?.(stats);
  return { results, stats };
}

/** A file a layout assigns to an identity, before probing. */
export interface ImageEntry {
  path: string;
  identity: string;
  unknown: boolean;
}

export interface ProbedEntries {
  images: ImageRecord[];
  problems: ManifestProblem[];
}

/**
 * Probe entries and turn them into manifest rows. Unreadable files stay in as rows (width 0, format '') with a
 * problem; files that do not exist become 'missing-file' problems only, since there is nothing to evaluate.
 */
export async function probeEntries(root: string, entries: readonly ImageEntry[], opts: ScanOptions = {}): Promise<ProbedEntries> {
  const { results } = await scanFiles(root, entries.map((e) => e.path), opts);
  const images: ImageRecord[] = [];
  const problems: ManifestProblem[] = [];
  entries.forEach((e, i) => {
    const { problem, ...fields } = results[i];
    if (problem) problems.push(problem);
    if (problem?.kind !== 'missing-file') images.push({ ...e, ...fields });
  });
  return { images, problems };
}

/** The parts an adapter gathers; buildManifest derives identities, hash and the cross-image problems. */
export interface ManifestParts {
  name: string;
  kind: DatasetKind;
  root: string;
  images: ImageRecord[];
  problems: ManifestProblem[];
  pairs?: DatasetPair[];
  pairsSource?: string;
  /** Report enrolled identities with one image (folder and CSV sets; LFW leaves that to the summary). */
  flagSingleImageIdentities: boolean;
}

/** sha256 over the sorted (path, identity, unknown, sha256) rows, then the pairs in file order. */
export function manifestHash(images: readonly ImageRecord[], pairs: readonly DatasetPair[] = []): string {
  const h = crypto.createHash('sha256');
  const rows = images.map((r) => `${r.path}\t${r.identity}\t${r.unknown ? 1 : 0}\t${r.sha256}`).sort();
  for (const row of rows) h.update(row + '\n');
  h.update('pairs\n');
  for (const p of pairs) h.update(`${p.a}\t${p.b}\t${p.same ? 1 : 0}\t${p.fold ?? ''}\n`);
  return h.digest('hex');
}

/** Assemble a DatasetManifest: rows sorted by path, identity counts, duplicate and single-image problems, hash. */
export function buildManifest(parts: ManifestParts): DatasetManifest {
  const images = [...parts.images].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const byIdentity = new Map<string, IdentitySummary>();
  for (const r of images) {
    const s = byIdentity.get(r.identity) ?? { name: r.identity, images: 0, unknown: true };
    s.images++;
    // An identity counts as unknown only if every image of it is: one enrolled image makes it enrollable.
    s.unknown &&= r.unknown;
    byIdentity.set(r.identity, s);
  }
  const identities = [...byIdentity.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const problems = [...parts.problems];

  const bySha = new Map<string, ImageRecord[]>();
  // Empty files all share one hash and already have their own problem.
  for (const r of images) if (r.sha256 !== '' && r.bytes > 0) bySha.set(r.sha256, [...(bySha.get(r.sha256) ?? []), r]);
  for (const [first, ...rest] of bySha.values()) {
    for (const dup of rest) {
      const where = first.identity === dup.identity ? 'same identity' : `identity ${JSON.stringify(first.identity)}`;
      problems.push({ kind: 'duplicate-image', path: dup.path, message: `same bytes as ${first.path} (${where})` });
    }
  }
  if (parts.flagSingleImageIdentities) {
    const firstPath = new Map<string, string>();
    for (const r of images) if (!firstPath.has(r.identity)) firstPath.set(r.identity, r.path);
    for (const s of identities) {
      if (!s.unknown && s.images === 1) {
        problems.push({ kind: 'single-image-identity', path: firstPath.get(s.name)!, message: `identity ${JSON.stringify(s.name)} has one image: no genuine pair` });
      }
    }
  }
  const manifest: DatasetManifest = { name: parts.name, kind: parts.kind, root: path.resolve(parts.root), images, identities, problems, hash: manifestHash(images, parts.pairs) };
  if (parts.pairs) {
    manifest.pairs = parts.pairs;
    manifest.pairsSource = parts.pairsSource;
  }
  return manifest;
}

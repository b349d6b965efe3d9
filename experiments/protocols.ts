import { FrwError } from '../core/errors.js';
import { namesIdentities, type DatasetManifest } from '../datasets/manifest.js';
import type { ResampleUnit } from './metrics/bootstrap.js';
import { mulberry32 } from './metrics/random.js';

export const PROTOCOLS = ['lfw-10fold', 'pairs', 'all-pairs'] as const;
export type ProtocolName = (typeof PROTOCOLS)[number];

/**
 * The comparisons a protocol makes, as manifest image indices. Built once per run and shared by every model,
 * so models are always compared on the same pairs.
 */
export interface ComparisonSet {
  protocol: ProtocolName;
  a: Int32Array;
  b: Int32Array;
  same: Uint8Array;
  /** 0-based LFW fold per comparison (lfw-10fold only). */
  fold: Int8Array | null;
  /** For all-pairs with a sample: how the impostor pairs were drawn. */
  impostorSampling: { sampled: number; population: number; seed: number } | null;
}

export interface ProtocolOptions {
  /** all-pairs: draw this many impostor pairs uniformly (seeded) instead of all of them. */
  impostorSample?: number;
  seed: number;
}

/**
 * What a bootstrap over this dataset's comparisons resamples: its identities, or its images when it names none (a
 * pair-only set), since then a pair's only known units are the two images it uses. identityIndex gives either index.
 */
export function resampleUnit(manifest: Pick<DatasetManifest, 'kind'>): ResampleUnit {
  return namesIdentities(manifest) ? 'identity' : 'image';
}

/** The protocol a dataset suggests: its LFW folds, else its listed pairs, else all pairs (never for a pair-only set). */
export function defaultProtocol(manifest: DatasetManifest): ProtocolName {
  if (!namesIdentities(manifest)) return 'pairs';
  if (!manifest.pairs?.length) return 'all-pairs';
  return manifest.pairs.every((p) => p.fold !== undefined) ? 'lfw-10fold' : 'pairs';
}

export function buildComparisons(manifest: DatasetManifest, protocol: ProtocolName, opts: ProtocolOptions): ComparisonSet {
  switch (protocol) {
    case 'lfw-10fold':
      return listedPairs(manifest, true);
    case 'pairs':
      return listedPairs(manifest, false);
    case 'all-pairs':
      return allPairs(manifest, opts);
    default:
      throw new FrwError('BAD_INPUT', `unknown protocol "${protocol as string}"; use one of ${PROTOCOLS.join(', ')}`);
  }
}

/**
 * Throws BAD_INPUT when the dataset cannot run the protocol (no pairs listed, pairs without folds, all pairs of a set
 * that names no identities): before any work.
 */
export function checkProtocol(manifest: DatasetManifest, protocol: ProtocolName): void {
  if (!PROTOCOLS.includes(protocol)) throw new FrwError('BAD_INPUT', `unknown protocol "${protocol as string}"; use one of ${PROTOCOLS.join(', ')}`);
  if (protocol === 'all-pairs' && !namesIdentities(manifest)) {
    // Every image is its own identity there: all pairs would score photos of one person as impostors.
    throw new FrwError('BAD_INPUT', `dataset ${manifest.name} is a pair-only set (${manifest.pairsSource ?? 'a pair sheet'}): it names no identities, and impostor pairs cannot be formed without identities (two of its images may show one person), so all-pairs cannot run; use --protocol pairs`);
  }
  if (protocol === 'all-pairs') return;
  const pairs = manifest.pairs ?? [];
  if (pairs.length === 0) throw new FrwError('BAD_INPUT', `dataset ${manifest.name} lists no pairs (no pairs.txt or pairs.csv)${namesIdentities(manifest) ? '; use --protocol all-pairs' : ''}`);
  if (protocol === 'lfw-10fold' && pairs.some((p) => p.fold === undefined)) {
    throw new FrwError('BAD_INPUT', `dataset ${manifest.name}'s pairs (${manifest.pairsSource}) have no folds; the 10-fold protocol needs LFW's pairs.txt — use --protocol pairs`);
  }
  // k-fold accuracy picks each fold's threshold on the others: one fold leaves nothing to pick it on.
  if (protocol === 'lfw-10fold' && new Set(pairs.map((p) => p.fold)).size < 2) {
    throw new FrwError('BAD_INPUT', `dataset ${manifest.name}'s pairs (${manifest.pairsSource}) form one fold; the k-fold protocol needs at least two — use --protocol pairs`);
  }
}

function listedPairs(manifest: DatasetManifest, needFolds: boolean): ComparisonSet {
  checkProtocol(manifest, needFolds ? 'lfw-10fold' : 'pairs');
  const pairs = manifest.pairs!;
  const index = new Map(manifest.images.map((img, i) => [img.path, i]));
  const n = pairs.length;
  const set: ComparisonSet = { protocol: needFolds ? 'lfw-10fold' : 'pairs', a: new Int32Array(n), b: new Int32Array(n), same: new Uint8Array(n), fold: needFolds ? new Int8Array(n) : null, impostorSampling: null };
  pairs.forEach((p, k) => {
    const ia = index.get(p.a);
    const ib = index.get(p.b);
    if (ia === undefined || ib === undefined) throw new FrwError('INTERNAL', `pair names an image missing from the manifest: ${ia === undefined ? p.a : p.b}`);
    set.a[k] = ia;
    set.b[k] = ib;
    set.same[k] = p.same ? 1 : 0;
    if (set.fold) set.fold[k] = p.fold!;
  });
  return set;
}

/**
 * Every genuine pair (i < j, same identity) and every impostor pair, or a seeded uniform sample of impostor pairs
 * drawn without replacement. Unknown (never-enrolled) people take part as their own identities.
 */
function allPairs(manifest: DatasetManifest, opts: ProtocolOptions): ComparisonSet {
  checkProtocol(manifest, 'all-pairs');
  const n = manifest.images.length;
  const ids = identityIndex(manifest);
  const genuine: number[] = [];
  for (const members of groupBy(ids)) {
    for (let x = 0; x < members.length; x++) for (let y = x + 1; y < members.length; y++) genuine.push(members[x], members[y]);
  }
  const population = (n * (n - 1)) / 2 - genuine.length / 2;
  const want = opts.impostorSample;
  let impostor: Int32Array;
  if (want === undefined || want >= population) {
    if (population > 20_000_000) {
      throw new FrwError('BAD_INPUT', `all-pairs on ${n} images is ${population.toLocaleString('en')} impostor pairs; give --impostor-sample N (the streaming path is used by frw eval for the full set)`);
    }
    impostor = new Int32Array(population * 2);
    let k = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (ids[i] !== ids[j]) { impostor[k++] = i; impostor[k++] = j; }
  } else {
    if (!Number.isInteger(want) || want < 1) throw new FrwError('BAD_INPUT', `--impostor-sample must be a positive integer, got ${want}`);
    impostor = sampleImpostors(ids, want, opts.seed);
  }
  const g = genuine.length / 2;
  const m = impostor.length / 2;
  const set: ComparisonSet = {
    protocol: 'all-pairs',
    a: new Int32Array(g + m),
    b: new Int32Array(g + m),
    same: new Uint8Array(g + m),
    fold: null,
    impostorSampling: want !== undefined && want < population ? { sampled: m, population, seed: opts.seed } : null,
  };
  for (let k = 0; k < g; k++) {
    set.a[k] = genuine[2 * k];
    set.b[k] = genuine[2 * k + 1];
    set.same[k] = 1;
  }
  for (let k = 0; k < m; k++) {
    set.a[g + k] = impostor[2 * k];
    set.b[g + k] = impostor[2 * k + 1];
  }
  return set;
}

/** Identity index per image (unknown people are their own identities). */
export function identityIndex(manifest: DatasetManifest): Int32Array {
  const map = new Map<string, number>();
  return Int32Array.from(manifest.images, (img) => {
    let v = map.get(img.identity);
    if (v === undefined) map.set(img.identity, (v = map.size));
    return v;
  });
}

function groupBy(ids: Int32Array): number[][] {
  const groups: number[][] = [];
  ids.forEach((id, i) => (groups[id] ??= []).push(i));
  return groups;
}

/** Rejection sampling of distinct unordered impostor pairs: uniform over the population, reproducible by seed. */
function sampleImpostors(ids: Int32Array, count: number, seed: number): Int32Array {
  const n = ids.length;
  const rng = mulberry32(seed);
  const seen = new Set<number>();
  const out = new Int32Array(count * 2);
  let k = 0;
  while (k < count) {
    const i = rng.nextInt(n);
    const j = rng.nextInt(n);
    if (i === j || ids[i] === ids[j]) continue;
    const lo = Math.min(i, j);
    const hi = Math.max(i, j);
    const key = lo * n + hi;
    if (seen.has(key)) continue;
    seen.add(key);
    out[2 * k] = lo;
    out[2 * k + 1] = hi;
    k++;
  }
  return out;
}

import { namesIdentities, type DatasetKind, type DatasetManifest, type ManifestProblem, type ProblemKind } from './manifest.js';

/** One bar of a histogram. */
export interface Bucket {
  label: string;
  count: number;
}

/** All problems of one kind. */
export interface ProblemGroup {
  kind: ProblemKind;
  count: number;
  problems: ManifestProblem[];
}

/** Pairs the dataset names, by class and fold. */
export interface PairSummary {
  total: number;
  same: number;
  different: number;
  /** Number of distinct folds (0 when the pairs carry none). */
  folds: number;
  source?: string;
}

/** What `inspect` shows about a manifest; numbers only, formatting is formatSummary's job. */
export interface DatasetSummary {
  name: string;
  kind: DatasetKind;
  root: string;
  hash: string;
  /** Manifest rows, decodable or not. */
  images: number;
  /** Rows whose size could be read (width > 0): the base of the grayscale share and resolution buckets. */
  decodable: number;
  unknownImages: number;
  /**
   * False for a pair-only set: its images are not grouped into people (each is its own `image:<path>`), so the
   * identity counts and histogram are zero rather than one "identity" per image.
   */
  identitiesNamed: boolean;
  identities: { total: number; enrolled: number; unknown: number };
  /** Over enrolled identities: unknown people are one image each by construction and would drown the '1' bar. */
  imagesPerIdentity: Bucket[];
  /** Enrolled identities with exactly one image (no genuine pair possible). */
  singleImageIdentities: number;
  grayscale: { count: number; share: number };
  /** By the shorter side, decodable images only. */
  resolution: Bucket[];
  formats: Bucket[];
  pairs?: PairSummary;
  problems: ProblemGroup[];
}

const PER_IDENTITY_BUCKETS: ReadonlyArray<{ label: string; max: number }> = [
  { label: '1', max: 1 },
  { label: '2', max: 2 },
  { label: '3', max: 3 },
  { label: '4', max: 4 },
  { label: '5', max: 5 },
  { label: '6-10', max: 10 },
  { label: '11-20', max: 20 },
  { label: '21-50', max: 50 },
  { label: '51+', max: Infinity },
];

const SHORT_SIDE_BUCKETS: ReadonlyArray<{ label: string; max: number }> = [
  { label: '<64', max: 63 },
  { label: '64-127', max: 127 },
  { label: '128-255', max: 255 },
  { label: '256-511', max: 511 },
  { label: '512+', max: Infinity },
];

function histogram(values: readonly number[], buckets: ReadonlyArray<{ label: string; max: number }>): Bucket[] {
  const out = buckets.map((b) => ({ label: b.label, count: 0 }));
  for (const v of values) out[buckets.findIndex((b) => v <= b.max)].count++;
  return out;
}

/** Summarise a manifest for `inspect`: counts, histograms, pairs and every problem grouped by kind. Pure. */
export function summarizeDataset(manifest: DatasetManifest): DatasetSummary {
  const named = namesIdentities(manifest);
  const people = named ? manifest.identities : [];
  const enrolled = people.filter((i) => !i.unknown);
  const decodable = manifest.images.filter((r) => r.width > 0 && r.height > 0);
  const gray = decodable.filter((r) => r.grayscale).length;

  const formats = new Map<string, number>();
  for (const r of manifest.images) formats.set(r.format || '(undecodable)', (formats.get(r.format || '(undecodable)') ?? 0) + 1);

  const groups = new Map<ProblemKind, ManifestProblem[]>();
  for (const p of manifest.problems) {
    const list = groups.get(p.kind) ?? [];
    list.push(p);
    groups.set(p.kind, list);
  }

  let pairs: PairSummary | undefined;
  if (manifest.pairs) {
    const same = manifest.pairs.filter((p) => p.same).length;
    const folds = new Set(manifest.pairs.filter((p) => p.fold !== undefined).map((p) => p.fold)).size;
    pairs = { total: manifest.pairs.length, same, different: manifest.pairs.length - same, folds, source: manifest.pairsSource };
  }

  return {
    name: manifest.name,
    kind: manifest.kind,
    root: manifest.root,
    hash: manifest.hash,
    images: manifest.images.length,
    decodable: decodable.length,
    unknownImages: manifest.images.filter((r) => r.unknown).length,
    identitiesNamed: named,
    identities: { total: people.length, enrolled: enrolled.length, unknown: people.length - enrolled.length },
    imagesPerIdentity: histogram(enrolled.map((i) => i.images), PER_IDENTITY_BUCKETS),
    singleImageIdentities: enrolled.filter((i) => i.images === 1).length,
    grayscale: { count: gray, share: decodable.length > 0 ? gray / decodable.length : 0 },
    resolution: histogram(decodable.map((r) => Math.min(r.width, r.height)), SHORT_SIDE_BUCKETS),
    formats: [...formats].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1)),
    pairs,
    problems: [...groups].map(([kind, list]) => ({ kind, count: list.length, problems: list })).sort((a, b) => b.count - a.count || (a.kind < b.kind ? -1 : 1)),
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

function bars(buckets: readonly Bucket[], total: number, width = 30): string[] {
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const labelW = Math.max(...buckets.map((b) => b.label.length));
  const countW = Math.max(...buckets.map((b) => String(b.count).length));
  return buckets.map((b) => {
    const bar = '#'.repeat(Math.round((b.count / max) * width));
    const share = total > 0 ? ` ${pct(b.count / total).padStart(6)}` : '';
    return `  ${b.label.padStart(labelW)}  ${String(b.count).padStart(countW)}${share}  ${bar}`;
  });
}

/** Options for formatSummary. */
export interface FormatSummaryOptions {
  /** List at most this many problems per kind (default: all of them). */
  maxProblemsPerKind?: number;
}

/** Render a summary as plain text for a terminal: sections, aligned histograms and every problem. */
export function formatSummary(s: DatasetSummary, opts: FormatSummaryOptions = {}): string {
  const limit = opts.maxProblemsPerKind ?? Infinity;
  const lines: string[] = [];
  lines.push(`${s.name} (${s.kind === 'pairs' ? 'pairs: a flat image folder and a pair sheet' : s.kind})  ${s.root}`);
  lines.push(`hash ${s.hash}`);
  lines.push('');
  lines.push(`images      ${s.images} (${s.decodable} decodable, ${s.unknownImages} of never-enrolled people)`);
  if (s.identitiesNamed) {
    lines.push(`identities  ${s.identities.total} (${s.identities.enrolled} enrolled, ${s.identities.unknown} unknown)`);
    lines.push(`single-image enrolled identities  ${s.singleImageIdentities}`);
  } else {
    lines.push('identities  none named: a pair-only set; each image is its own (image:<path>), who matches whom is the pair sheet\'s');
  }
  lines.push(`grayscale   ${s.grayscale.count} (${pct(s.grayscale.share)} of decodable)`);
  lines.push(`formats     ${s.formats.map((f) => `${f.label} ${f.count}`).join(', ') || '-'}`);
  lines.push('');
  if (s.identitiesNamed) {
    lines.push('images per enrolled identity');
    lines.push(...bars(s.imagesPerIdentity, s.identities.enrolled));
    lines.push('');
  }
  lines.push('shorter side (px)');
  lines.push(...bars(s.resolution, s.decodable));
  lines.push('');
  if (s.pairs) {
    const folds = s.pairs.folds > 0 ? `, ${s.pairs.folds} folds` : '';
    lines.push(`pairs       ${s.pairs.total} (${s.pairs.same} same, ${s.pairs.different} different${folds}) from ${s.pairs.source ?? '?'}`);
  } else {
    lines.push('pairs       none');
  }
  lines.push('');
  if (s.problems.length === 0) {
    lines.push('problems    none');
  } else {
    lines.push(`problems    ${s.problems.reduce((n, g) => n + g.count, 0)}`);
    for (const g of s.problems) {
      lines.push(`  ${g.kind} (${g.count})`);
      for (const p of g.problems.slice(0, limit)) lines.push(`    ${p.path}: ${p.message}`);
      if (g.count > limit) lines.push(`    … ${g.count - limit} more`);
    }
  }
  return lines.join('\n') + '\n';
}

import { oneOf } from '../../core/choice.js';
import { FrwError } from '../../core/errors.js';
import { namesIdentities, type DatasetManifest, type ImageRecord } from '../../datasets/manifest.js';
import { buildManifest } from '../../datasets/scan.js';
import { decisionTarget } from './targets.js';

/**
 * What a person decided about an audit's flags, as data: the dataset's own files are never edited; a run applies
 * the decisions to the manifest it evaluates and records which file it applied (its sha256).
 * - `mislabelled` (an image): with `label`, the image belongs to that identity (an unknown found to be an
 *   enrolled person, or a photo filed under the wrong name); without, it is left out (right name not known).
 * - `duplicate` (an image): this copy is left out; the other copies stay.
 * - `exclude` (an image): left out (no usable face, not a photo of a person).
 * - `same-person` (two identities): the second's images are relabelled as the first.
 * - `keep` (an image or two identities): reviewed and fine as it is; the audit shows the flag as decided.
 */
export const DECISION_KINDS = ['mislabelled', 'duplicate', 'exclude', 'same-person', 'keep'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

export interface Decision {
  kind: DecisionKind;
  /** The image decided about (dataset-relative path): every kind but same-person. */
  image?: string;
  /** The two identities decided about: same-person, or keep of an identity pair. */
  identities?: [string, string];
  /** mislabelled: the identity the image belongs to. */
  label?: string;
  note?: string;
  decidedAt: string;
}

export interface DecisionsFile {
  format: 'frw-audit-decisions';
  version: 1;
  dataset: string;
  decisions: Decision[];
}

export { decisionTarget };

/** A decision as a user gives it, checked: the right target for its kind, non-empty names. */
export function checkDecision(raw: unknown, where = 'decision'): Decision {
  const d = (raw ?? {}) as Record<string, unknown>;
  const kind = oneOf(DECISION_KINDS, d.kind, `${where}: kind`);
  const text = (v: unknown, what: string) => {
    if (typeof v !== 'string' || v.trim() === '') throw new FrwError('BAD_INPUT', `${where}: ${what} must be a non-empty string`);
    return v;
  };
  const image = d.image === undefined ? undefined : text(d.image, 'image');
  let identities: [string, string] | undefined;
  if (d.identities !== undefined) {
    if (!Array.isArray(d.identities) || d.identities.length !== 2) throw new FrwError('BAD_INPUT', `${where}: identities must name two identities`);
    identities = [text(d.identities[0], 'identities[0]'), text(d.identities[1], 'identities[1]')];
    if (identities[0] === identities[1]) throw new FrwError('BAD_INPUT', `${where}: identities must be two different names, got ${identities[0]} twice`);
  }
  if ((image === undefined) === (identities === undefined)) throw new FrwError('BAD_INPUT', `${where}: give either an image or two identities`);
  if (kind === 'same-person' && !identities) throw new FrwError('BAD_INPUT', `${where}: same-person names two identities (for an unknown image that is an enrolled person, use mislabelled with a label)`);
  if (kind !== 'same-person' && kind !== 'keep' && !image) throw new FrwError('BAD_INPUT', `${where}: ${kind} names an image`);
  if (d.label !== undefined && kind !== 'mislabelled') throw new FrwError('BAD_INPUT', `${where}: a label goes with mislabelled only`);
  const label = d.label === undefined ? undefined : text(d.label, 'label');
  const note = d.note === undefined ? undefined : String(d.note);
  const decidedAt = typeof d.decidedAt === 'string' ? d.decidedAt : new Date(0).toISOString();
  return { kind, ...(image !== undefined && { image }), ...(identities && { identities }), ...(label !== undefined && { label }), ...(note !== undefined && { note }), decidedAt };
}

/** A decisions file's content, checked; BAD_INPUT names the first thing wrong. */
export function parseDecisions(value: unknown, source: string): DecisionsFile {
  const v = (value ?? {}) as Record<string, unknown>;
  if (v.format !== 'frw-audit-decisions' || v.version !== 1) throw new FrwError('BAD_INPUT', `${source} is not an frw audit decisions file (format "frw-audit-decisions", version 1)`);
  if (typeof v.dataset !== 'string' || !Array.isArray(v.decisions)) throw new FrwError('BAD_INPUT', `${source}: needs a dataset name and a decisions list`);
  const checked = v.decisions.map((d, i) => checkDecision(d, `${source} decision ${i + 1}`));
  // One decision per target, the last one written (as withDecision keeps them): a hand-edited file with an exclude
  // and then a keep of one image keeps it.
  const last = new Map(checked.map((d) => [decisionTarget(d), d]));
  return { format: 'frw-audit-decisions', version: 1, dataset: v.dataset, decisions: checked.filter((d) => last.get(decisionTarget(d)) === d) };
}

/** Add (or replace, by target) one decision: the file's content after it, decisions in the order first made. */
export function withDecision(file: DecisionsFile, d: Decision): DecisionsFile {
  const key = decisionTarget(d);
  const at = file.decisions.findIndex((x) => decisionTarget(x) === key);
  const decisions = at < 0 ? [...file.decisions, d] : file.decisions.map((x, i) => (i === at ? d : x));
  return { ...file, decisions };
}

/** What applying decisions did to a manifest, for run.json and the audit report. */
export interface AppliedDecisions {
  decisions: number;
  excludedImages: number;
  relabelledImages: number;
  mergedIdentities: number;
  kept: number;
  /** Listed pairs dropped because they named an excluded image. */
  droppedPairs: number;
  sourceManifestHash: string;
}

/** What run.json records of the decisions a run applied: the file, its sha256 (the exact bytes) and their effect. */
export interface DecisionsRecord {
  file: string;
  sha256: string;
  applied: AppliedDecisions;
}

/**
 * The manifest a run evaluates once the decisions hold: excluded images gone, relabelled and merged images under
 * their identity (known, no longer unknown), listed pairs that named an excluded image dropped and the others'
 * same/different recomputed from the labels. Its hash is that of the new content, so a run on it is never taken
 * for a run on the original. A decision naming an image or identity the manifest lacks is BAD_INPUT: decisions
 * made on other data.
 */
export function applyDecisions(manifest: DatasetManifest, file: DecisionsFile): { manifest: DatasetManifest; applied: AppliedDecisions } {
  // Labels are what decisions change; a set that names no identities has only its sheet's pairs to say who is who.
  if (!namesIdentities(manifest)) throw new FrwError('BAD_INPUT', `${manifest.name} names no identities (a pair-only set): decisions about labels do not apply to it`);
  if (file.dataset !== manifest.name) throw new FrwError('BAD_INPUT', `these decisions were made for dataset ${file.dataset}, not ${manifest.name}`);
  const byPath = new Map(manifest.images.map((r) => [r.path, r]));
  const names = new Set(manifest.identities.map((s) => s.name));
  const missing: string[] = [];
  for (const d of file.decisions) {
    if (d.image !== undefined && !byPath.has(d.image)) missing.push(`image ${d.image}`);
    for (const id of d.identities ?? []) if (!names.has(id)) missing.push(`identity ${id}`);
    // A relabel names a person the set knows: a typo must not quietly make a new identity.
    if (d.label !== undefined && !names.has(d.label)) missing.push(`identity ${d.label} (the label of ${d.image})`);
  }
  if (missing.length > 0) throw new FrwError('BAD_INPUT', `the decisions for ${file.dataset} name what ${manifest.name} lacks: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`, { missing });
  // Merges as a forest: the second name points at the first; chains (c → b → a) end at their root.
  const mergedInto = new Map<string, string>();
  const root = (id: string): string => {
    const seen = new Set<string>();
    while (mergedInto.has(id) && !seen.has(id)) {
      seen.add(id);
      id = mergedInto.get(id)!;
    }
    return id;
  };
  const excluded = new Set<string>();
  const relabel = new Map<string, string>();
  let kept = 0;
  for (const d of file.decisions) {
    if (d.kind === 'keep') kept++;
    else if (d.kind === 'same-person') {
      const [a, b] = d.identities!;
      if (root(a) !== root(b)) mergedInto.set(root(b), root(a));
    } else if (d.kind === 'mislabelled' && d.label !== undefined) relabel.set(d.image!, d.label);
    else excluded.add(d.image!);
  }
  let relabelled = 0;
  const images: ImageRecord[] = [];
  for (const r of manifest.images) {
    if (excluded.has(r.path)) continue;
    const label = relabel.get(r.path);
    const identity = root(label ?? r.identity);
    if (identity !== r.identity) relabelled++;
    images.push(identity === r.identity && label === undefined ? r : { ...r, identity, unknown: false });
  }
  const identityOf = new Map(images.map((r) => [r.path, r.identity]));
  const pairs = manifest.pairs?.filter((p) => identityOf.has(p.a) && identityOf.has(p.b)).map((p) => ({ ...p, same: identityOf.get(p.a) === identityOf.get(p.b) }));
  const keptPaths = new Set(images.map((r) => r.path));
  const rebuilt = buildManifest({
    name: manifest.name,
    kind: manifest.kind,
    root: manifest.root,
    images,
    // Cross-image problems are derived again from the new labels; the rest stay with the images that remain.
    problems: manifest.problems.filter((p) => p.kind !== 'duplicate-image' && p.kind !== 'single-image-identity' && !excluded.has(p.path) && (keptPaths.has(p.path) || !byPath.has(p.path))),
    pairs,
    pairsSource: manifest.pairsSource,
    flagSingleImageIdentities: manifest.kind !== 'lfw',
  });
  return {
    manifest: rebuilt,
    applied: { decisions: file.decisions.length, excludedImages: manifest.images.length - images.length, relabelledImages: relabelled, mergedIdentities: mergedInto.size, kept, droppedPairs: (manifest.pairs?.length ?? 0) - (pairs?.length ?? 0), sourceManifestHash: manifest.hash },
  };
}

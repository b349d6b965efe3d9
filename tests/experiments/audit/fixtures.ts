import { buildManifest } from '../../../datasets/scan.js';
import type { DatasetManifest, ImageRecord } from '../../../datasets/manifest.js';
import { l2normalize } from '../../../models/embedder.js';
import type { AuditInput } from '../../../experiments/audit/audit.js';
import { generator } from '../metrics/helpers.js';

/** One image of a synthetic set: whose face it is (`person`) and what label the set gives it. */
export interface SynthImage {
  path: string;
  label: string;
  person: string;
  unknown?: boolean;
  /** Byte identity: images with the same `bytes` share a sha256 (and, being one file, one embedding). */
  bytes?: string;
  /** No embedding (a failure to acquire). */
  noFace?: boolean;
  /** Another file of the same photo (a re-encode): that image's vector with a little noise, other bytes. */
  nearCopyOf?: string;
}

const sha = (s: string) => s.split('').reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7).toString(16).padStart(8, '0').repeat(8);

export function synthManifest(images: readonly SynthImage[], pairs?: DatasetManifest['pairs']): DatasetManifest {
  const records: ImageRecord[] = images.map((im) => ({ path: im.path, identity: im.unknown ? `unknown:${im.path}` : im.label, unknown: Boolean(im.unknown), sha256: sha(im.bytes ?? im.path), bytes: 1000, width: 112, height: 112, grayscale: false, format: 'jpeg' }));
  return buildManifest({ name: 'synth', kind: 'folder', root: '/nonexistent/synth', images: records, problems: [], pairs, pairsSource: pairs ? 'pairs.csv' : undefined, flagSingleImageIdentities: true });
}

/**
 * Embeddings of a synthetic set: each person a random unit centre, each image centre + noise of `spread`,
 * normalised; copies (same `bytes`) get the very same vector. Rows follow the manifest (sorted by path).
 */
export function synthInput(images: readonly SynthImage[], opts: { dim?: number; spread?: number; seed?: number } = {}): AuditInput {
  const dim = opts.dim ?? 32;
  const g = generator(opts.seed ?? 7);
  const centres = new Map<string, Float32Array>();
  const centre = (p: string) => {
    let c = centres.get(p);
    if (!c) centres.set(p, (c = l2normalize(Float32Array.from({ length: dim }, () => g.normal()))));
    return c;
  };
  const manifest = synthManifest(images);
  const byPath = new Map(images.map((im) => [im.path, im]));
  const vectors = new Float32Array(manifest.images.length * dim);
  const ok = new Uint8Array(manifest.images.length);
  const byBytes = new Map<string, Float32Array>();
  const order = manifest.images.map((r, i) => i).sort((a, b) => Number(Boolean(byPath.get(manifest.images[a].path)!.nearCopyOf)) - Number(Boolean(byPath.get(manifest.images[b].path)!.nearCopyOf)));
  const rowOf = new Map(manifest.images.map((r, i) => [r.path, i]));
  for (const i of order) {
    const r = manifest.images[i];
    const im = byPath.get(r.path)!;
    if (im.noFace) continue;
    if (im.nearCopyOf) {
      const j = rowOf.get(im.nearCopyOf)!;
      vectors.set(l2normalize(Float32Array.from(vectors.subarray(j * dim, (j + 1) * dim), (x) => x + 0.01 * g.normal())), i * dim);
      ok[i] = 1;
      continue;
    }
    const key = im.bytes ?? im.path;
    let v = byBytes.get(key);
    if (!v) {
      const c = centre(im.person);
      byBytes.set(key, (v = l2normalize(Float32Array.from(c, (x) => x + (opts.spread ?? 0.12) * g.normal()))));
    }
    vectors.set(v, i * dim);
    ok[i] = 1;
  }
  const n = manifest.images.length;
  const landmarks = new Float32Array(n * 10).fill(NaN);
  manifest.images.forEach((_, i) => ok[i] && landmarks.set([40, 50, 72, 50, 56, 66, 44, 82, 68, 82], i * 10));
  return {
    manifest,
    dim,
    vectors,
    ok,
    failure: Array.from(ok, (x) => (x ? null : 'no-face')),
    failureMessage: Array.from(ok, (x) => (x ? null : 'no face found')),
    quality: Array.from(ok, (x) => (x ? { imageWidth: 112, imageHeight: 112, grayscale: false, detScore: 0.9, faceAreaRatio: 0.5, interEyeDistance: 32 } : null)),
    landmarks,
  };
}

/** `n` images of `person` labelled `label` (default: the person). */
export const photos = (person: string, n: number, label = person, from = 1): SynthImage[] =>
  Array.from({ length: n }, (_, k) => ({ path: `${label}/${label}_${String(from + k).padStart(4, '0')}.jpg`, label, person }));

import { FrwError } from '../../core/errors.js';
import type { GalleryProbeDescription } from '../../datasets/gallery-probe.js';
import type { DatasetManifest } from '../../datasets/manifest.js';
import { mulberry32 } from '../metrics/random.js';

/**
 * Who is enrolled from which images, who probes, and who is a stranger: one seeded split shared by every model
 * and matching mode of a run, saved with it. No image used for enrolment is ever a probe, not even as a
 * byte-identical copy under another path.
 */
/** What to do with identities that have no more than k images: see SplitOptions.fewImages. */
export const FEW_IMAGES_RULES = ['unknown', 'enrol-only', 'drop'] as const;
export type FewImagesRule = (typeof FEW_IMAGES_RULES)[number];

export interface SplitOptions {
  /** Enrolment images per identity (k). */
  enrol: number;
  seed: number;
  /** Hold out this share of the eligible identities as unknowns (when the data has no unknown set of its own). */
  unknownShare?: number;
  /**
   * Identities with no more than k images (none left to probe with): 'unknown' makes them strangers (their images
   * are non-mated probes; LFW's 4,069 single-image people), 'enrol-only' enrols them without probes (a bigger
   * gallery), 'drop' leaves them out.
   */
  fewImages: FewImagesRule;
}

export interface GalleryIdentity {
  identity: string;
  /** Manifest indices of the enrolment images. */
  images: number[];
}

/**
 * How the gallery and probes were chosen: a seeded split of one dataset, or the sets the data gives (given-split.ts,
 * whose `rule` states who is mated and who a stranger).
 */
export type SplitProtocol = ({ kind: 'seeded' } & SplitOptions) | { kind: 'gallery-probe'; sets: GalleryProbeDescription; rule: string };

/** A probe whose bytes equal a gallery image's (sha256), or the very file listed in both sets: reported, never scored. */
export interface LeakedProbe {
  probe: string;
  probeIdentity: string;
  gallery: string;
  galleryIdentity: string;
}

export interface IdentificationSplit {
  protocol: SplitProtocol;
  gallery: GalleryIdentity[];
  /** Mated probes: manifest index and the gallery index of their identity. */
  mated: { image: Int32Array; identity: Int32Array };
  /** Non-mated probes: manifest index and a person index (for resampling strangers by person). */
  nonMated: { image: Int32Array; person: Int32Array };
  /**
   * Where the strangers came from: people the data marks unknown, held-out identities, few-image identities, and
   * (gallery/probe sets) probes of identities the gallery does not hold.
   */
  unknownSources: { datasetUnknowns: number; heldOutShare: number; fewImages: number; notInGallery?: number };
  /** Probes removed because their bytes equal an enrolment image's (a copy under another name would leak). */
  droppedDuplicates: number;
  /** Those probes, each with the gallery image it copies. */
  leaks: LeakedProbe[];
  /** Identities left out entirely by the fewImages rule 'drop'. */
  droppedIdentities: number;
}

export function makeSplit(manifest: DatasetManifest, opts: SplitOptions): IdentificationSplit {
  if (!Number.isInteger(opts.enrol) || opts.enrol < 1) throw new FrwError('BAD_INPUT', `--enrol must be a positive integer, got ${opts.enrol}`);
  const share = opts.unknownShare ?? 0;
  if (!(share >= 0 && share < 1)) throw new FrwError('BAD_INPUT', `--unknown-share must be in [0, 1), got ${share}`);
  const rng = mulberry32(opts.seed);
  const shuffle = <T>(a: T[]): T[] => {
    for (let i = a.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  };
  const byIdentity = new Map<string, number[]>();
  const strangers = new Map<string, number[]>();
  manifest.images.forEach((img, i) => {
    const map = img.unknown ? strangers : byIdentity;
    const list = map.get(img.identity);
    if (list) list.push(i);
    else map.set(img.identity, [i]);
  });
  const datasetUnknowns = strangers.size;
  const names = [...byIdentity.keys()].sort();
  const eligible = names.filter((n) => byIdentity.get(n)!.length > opts.enrol);
  const few = names.filter((n) => byIdentity.get(n)!.length <= opts.enrol);
  // A seeded share of the identities that could be enrolled becomes strangers instead.
  const heldOut = new Set(shuffle([...eligible]).slice(0, Math.round(share * eligible.length)));
  for (const n of heldOut) strangers.set(n, byIdentity.get(n)!);
  if (opts.fewImages === 'unknown') for (const n of few) strangers.set(n, byIdentity.get(n)!);

  const gallery: GalleryIdentity[] = [];
  const matedImage: number[] = [];
  const matedIdentity: number[] = [];
  for (const n of [...eligible.filter((x) => !heldOut.has(x)), ...(opts.fewImages === 'enrol-only' ? few : [])].sort()) {
    const imgs = shuffle([...byIdentity.get(n)!].sort((a, b) => a - b));
    const g = gallery.length;
    gallery.push({ identity: n, images: imgs.slice(0, opts.enrol).sort((a, b) => a - b) });
    for (const i of imgs.slice(opts.enrol)) {
      matedImage.push(i);
      matedIdentity.push(g);
    }
  }
  if (gallery.length === 0) throw new FrwError('BAD_INPUT', `no identity of ${manifest.name} has more than ${opts.enrol} images: nothing to enrol and probe`);
  const nonMatedImage: number[] = [];
  const nonMatedPerson: number[] = [];
  [...strangers.keys()].sort().forEach((n, p) => {
    for (const i of strangers.get(n)!) {
      nonMatedImage.push(i);
      nonMatedPerson.push(p);
    }
  });
  // No leakage: drop probes whose bytes are an enrolment image's.
  const enrolled = new Set(gallery.flatMap((g) => g.images));
  const enrolledSha = new Map([...enrolled].filter((i) => manifest.images[i].sha256).map((i) => [manifest.images[i].sha256, i]));
  const leaks: LeakedProbe[] = [];
  const keep = (i: number) => {
    if (enrolled.has(i)) throw new FrwError('INTERNAL', `split leak: enrolment image ${manifest.images[i].path} is also a probe`);
    const copy = enrolledSha.get(manifest.images[i].sha256);
    if (copy !== undefined) leaks.push(leakOf(manifest, i, copy));
    return copy === undefined;
  };
  const mk = matedImage.map(keep);
  const nk = nonMatedImage.map(keep);
  return {
    protocol: { kind: 'seeded', ...opts },
    gallery,
    mated: { image: Int32Array.from(matedImage.filter((_, k) => mk[k])), identity: Int32Array.from(matedIdentity.filter((_, k) => mk[k])) },
    nonMated: { image: Int32Array.from(nonMatedImage.filter((_, k) => nk[k])), person: Int32Array.from(nonMatedPerson.filter((_, k) => nk[k])) },
    unknownSources: { datasetUnknowns, heldOutShare: heldOut.size, fewImages: opts.fewImages === 'unknown' ? few.length : 0 },
    droppedDuplicates: leaks.length,
    leaks,
    droppedIdentities: opts.fewImages === 'drop' ? few.length : 0,
  };
}

export function leakOf(manifest: DatasetManifest, probe: number, gallery: number): LeakedProbe {
  const [p, g] = [manifest.images[probe], manifest.images[gallery]];
  return { probe: p.path, probeIdentity: p.identity, gallery: g.path, galleryIdentity: g.identity };
}

/** The split as saved with a run: image paths instead of indices, so it can be read and replayed by people and the engine. */
export function splitRecord(split: IdentificationSplit, manifest: DatasetManifest) {
  const p = (i: number) => manifest.images[i].path;
  const { kind, ...settings } = split.protocol;
  return {
    protocol: split.protocol,
    // Seeded runs keep their settings under `options`, where split.json always had them.
    ...(kind === 'seeded' ? { options: settings } : {}),
    manifestHash: manifest.hash,
    gallery: split.gallery.map((g) => ({ identity: g.identity, images: g.images.map(p) })),
    mated: Array.from(split.mated.image, (i, k) => ({ image: p(i), identity: split.gallery[split.mated.identity[k]].identity })),
    nonMated: Array.from(split.nonMated.image, p),
    unknownSources: split.unknownSources,
    droppedDuplicates: split.droppedDuplicates,
    droppedIdentities: split.droppedIdentities,
    leaks: split.leaks,
  };
}

import { FrwError } from '../../core/errors.js';
import type { GalleryProbeSets } from '../../datasets/gallery-probe.js';
import { leakOf, type GalleryIdentity, type IdentificationSplit, type LeakedProbe } from './split.js';

/** The rule a gallery/probe split follows, as split.json and the report state it. */
export const GIVEN_SPLIT_RULE =
  'gallery: every image of the gallery set, all enrolled (a gallery image under the unknown label or in an unknown/ folder is refused: strangers cannot be enrolled); ' +
  'mated probes: probe images whose identity has a gallery image; ' +
  'non-mated probes: probe images of the unknown label or unknown/ folder, and probe images of identities absent from the gallery; ' +
  'a probe byte-identical (sha256) to a gallery image, or the same file listed in both sets, is a leak: reported, never scored';

/**
 * The split the data defines (GIVEN_SPLIT_RULE): nothing is drawn, so no seed; the same sets give the same split.
 * Identities are matched by label across the two sets (a CSV label, a folder name).
 */
export function splitFromSets(sets: GalleryProbeSets): IdentificationSplit {
  const { manifest, role } = sets;
  const byIdentity = new Map<string, number[]>();
  const strangersInGallery = manifest.images.filter((img, i) => role[i] === 'gallery' && img.unknown);
  if (strangersInGallery.length > 0) {
    // Most likely the wrong --unknown-label (an enrolled label) or a stray unknown/ folder: say so rather than guess.
    const label = sets.description.unknownLabel === null ? 'an unknown/ folder' : `the unknown label ${JSON.stringify(sets.description.unknownLabel)} or an unknown/ folder`;
    throw new FrwError('BAD_INPUT', `the gallery set ${sets.description.gallery} lists ${strangersInGallery.length} image(s) under ${label} (first: ${strangersInGallery[0].path}): strangers cannot be enrolled; remove them from the gallery set or give the strangers' own label`);
  }
  manifest.images.forEach((img, i) => {
    if (role[i] !== 'gallery') return;
    const list = byIdentity.get(img.identity);
    if (list) list.push(i);
    else byIdentity.set(img.identity, [i]);
  });
  const gallery: GalleryIdentity[] = [...byIdentity.keys()].sort().map((identity) => ({ identity, images: byIdentity.get(identity)! }));
  if (gallery.length === 0) {
    throw new FrwError('BAD_INPUT', `the gallery set ${sets.description.gallery} holds no image: nothing to enrol`);
  }
  const galleryIndex = new Map(gallery.map((g, k) => [g.identity, k]));
  const galleryBySha = new Map<string, number>();
  for (const g of gallery) for (const i of g.images) if (manifest.images[i].sha256 && !galleryBySha.has(manifest.images[i].sha256)) galleryBySha.set(manifest.images[i].sha256, i);
  const byPath = new Map(manifest.images.map((r, i) => [r.path, i]));

  const leaks: LeakedProbe[] = sets.listedInBoth.map((x) => {
    const g = manifest.images[byPath.get(x.path)!];
    return { probe: x.path, probeIdentity: x.probeIdentity, gallery: g.path, galleryIdentity: g.identity };
  });
  const mated = { image: [] as number[], identity: [] as number[] };
  const strangers = new Map<string, number[]>();
  let probes = 0;
  let datasetUnknowns = 0;
  let notInGallery = 0;
  manifest.images.forEach((img, i) => {
    if (role[i] !== 'probe') return;
    probes++;
    const copy = img.sha256 ? galleryBySha.get(img.sha256) : undefined;
    if (copy !== undefined) { leaks.push(leakOf(manifest, i, copy)); return; }
    const g = img.unknown ? undefined : galleryIndex.get(img.identity);
    if (g !== undefined) {
      mated.image.push(i);
      mated.identity.push(g);
      return;
    }
    if (!strangers.has(img.identity)) {
      if (img.unknown) datasetUnknowns++;
      else notInGallery++;
      strangers.set(img.identity, []);
    }
    strangers.get(img.identity)!.push(i);
  });
  if (probes === 0) throw new FrwError('BAD_INPUT', `the probe set ${sets.description.probe} holds no image: nothing to search`);
  const nonMated = { image: [] as number[], person: [] as number[] };
  [...strangers.keys()].sort().forEach((n, p) => {
    for (const i of strangers.get(n)!) {
      nonMated.image.push(i);
      nonMated.person.push(p);
    }
  });
  return {
    protocol: { kind: 'gallery-probe', sets: sets.description, rule: GIVEN_SPLIT_RULE },
    gallery,
    mated: { image: Int32Array.from(mated.image), identity: Int32Array.from(mated.identity) },
    nonMated: { image: Int32Array.from(nonMated.image), person: Int32Array.from(nonMated.person) },
    unknownSources: { datasetUnknowns, heldOutShare: 0, fewImages: 0, notInGallery },
    droppedDuplicates: leaks.length,
    leaks,
    droppedIdentities: 0,
  };
}

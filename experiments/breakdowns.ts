import type { DatasetManifest } from '../datasets/manifest.js';
import type { EmbeddingTable } from '../pipeline/embedding-table.js';
import { bandOf, FACE_AREA_BANDS, RESOLUTION_BANDS } from './attributes.js';
import { clopperPearson, type Interval } from './metrics/index.js';
import type { ComparisonSet } from './protocols.js';
import type { ScoredComparisons } from './scoring.js';

/**
 * Where the errors are, at one operating threshold: error rates per quality group of the pair (grayscale,
 * resolution, face size) and the identities behind the most false matches and false non-matches.
 */
export interface GroupRates {
  group: string;
  genuine: number;
  impostor: number;
  fmr: Interval | null;
  fnmr: Interval | null;
}

export interface IdentityErrors {
  identity: string;
  count: number;
  /** Up to three example pairs (image paths and score). */
  examples: Array<{ a: string; b: string; score: number }>;
}

export interface Breakdown {
  threshold: number;
  byGrayscale: GroupRates[];
  byResolution: GroupRates[];
  byFaceArea: GroupRates[];
  falseMatchIdentities: IdentityErrors[];
  falseNonMatchIdentities: IdentityErrors[];
}


export function breakdown(manifest: DatasetManifest, set: ComparisonSet, scored: ScoredComparisons, table: EmbeddingTable, threshold: number, level = 0.95, top = 10): Breakdown {
  // A pair is as hard as its harder image: group by the lower resolution, the smaller face, any grayscale.
  const groupers: Record<'byGrayscale' | 'byResolution' | 'byFaceArea', (i: number, j: number) => string> = {
    byGrayscale: (i, j) => (table.quality[i]!.grayscale || table.quality[j]!.grayscale ? 'one or both grayscale' : 'both colour'),
    byResolution: (i, j) => bandOf(Math.min(shortSide(table, i), shortSide(table, j)), RESOLUTION_BANDS),
    byFaceArea: (i, j) => bandOf(Math.min(table.quality[i]!.faceAreaRatio, table.quality[j]!.faceAreaRatio), FACE_AREA_BANDS),
  };
  const tallies = { byGrayscale: new Map<string, number[]>(), byResolution: new Map<string, number[]>(), byFaceArea: new Map<string, number[]>() };
  const fm = new Map<string, IdentityErrors>();
  const fnm = new Map<string, IdentityErrors>();
  const note = (map: Map<string, IdentityErrors>, id: string, k: number) => {
    const e = map.get(id) ?? { identity: id, count: 0, examples: [] };
    e.count++;
    if (e.examples.length < 3) e.examples.push({ a: manifest.images[set.a[k]].path, b: manifest.images[set.b[k]].path, score: scored.score[k] });
    map.set(id, e);
  };
  for (let k = 0; k < set.same.length; k++) {
    const s = scored.score[k];
    if (Number.isNaN(s)) continue; // failure to acquire: excluded at algorithm level, counted elsewhere
    const i = set.a[k];
    const j = set.b[k];
    const genuine = set.same[k] === 1;
    const error = genuine ? s < threshold : s >= threshold;
    for (const key of Object.keys(groupers) as Array<keyof typeof groupers>) {
      const g = groupers[key](i, j);
      const t = tallies[key].get(g) ?? [0, 0, 0, 0]; // genuine, false non-matches, impostor, false matches
      if (genuine) {
        t[0]++;
        if (error) t[1]++;
      } else {
        t[2]++;
        if (error) t[3]++;
      }
      tallies[key].set(g, t);
    }
    if (!error) continue;
    if (genuine) note(fnm, manifest.images[i].identity, k);
    else {
      note(fm, manifest.images[i].identity, k);
      note(fm, manifest.images[j].identity, k);
    }
  }
  const rates = (m: Map<string, number[]>): GroupRates[] =>
    [...m.entries()].map(([group, [g, fnmC, im, fmC]]) => ({ group, genuine: g, impostor: im, fnmr: g ? clopperPearson(fnmC, g, level) : null, fmr: im ? clopperPearson(fmC, im, level) : null }));
  const worst = (m: Map<string, IdentityErrors>) => [...m.values()].sort((a, b) => b.count - a.count || a.identity.localeCompare(b.identity)).slice(0, top);
  return {
    threshold,
    byGrayscale: rates(tallies.byGrayscale),
    byResolution: rates(tallies.byResolution),
    byFaceArea: rates(tallies.byFaceArea),
    falseMatchIdentities: worst(fm),
    falseNonMatchIdentities: worst(fnm),
  };
}

const shortSide = (t: EmbeddingTable, i: number) => Math.min(t.quality[i]!.imageWidth, t.quality[i]!.imageHeight);

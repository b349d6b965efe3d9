import type { DatasetManifest } from '../../datasets/manifest.js';
import type { EmbeddingTable } from '../../pipeline/embedding-table.js';
import { bootstrapOpenSet, clopperPearsonUpper, cmc, fnirAtFpir, trialsToBack, openSetCurve, rank1Accuracy, sortOpenSet, thresholdForFpir } from '../metrics/index.js';
import type { FnirAtFpirPoint, OpenSetBootstrapInterval, OpenSetProbes, Rank1Accuracy } from '../metrics/index.js';
import type { IndexFactory } from '../../search/indexes.js';
import { rankIdentities, rowsNeeded } from '../../search/vector-index.js';
import type { IdentificationSplit } from './split.js';
import { buildGallery, type MatchMode } from '../../search/templates.js';
import { decide } from './policies.js';
import { fpirBudget, type FpirBudget } from './fpir-budget.js';
import { scoreToL2Distance } from '../metrics/index.js';

export const DEFAULT_FPIR_TARGETS = [0.1, 0.01, 0.003];
const RANKS = 20;

export interface IdentificationOptions {
  fpirTargets: number[];
  seed: number;
  bootstrap: number;
  level: number;
}

/** One model in one matching mode on one split: what identification.json holds per (model, mode). */
export interface ModeResult {
  model: string;
  mode: MatchMode;
  gallery: { identities: number; vectors: number; skippedImages: number; unenrolledIdentities: number; bytes: number };
  probes: { mated: number; nonMated: number; excludedFta: { mated: number; nonMated: number } };
  rank1: Rank1Accuracy;
  cmc: { rank: number[]; accuracy: number[] };
  /** Per FPIR target; `backed`: FPIR's one-sided upper bound at the threshold is within the target (docs/metrics.md). */
  fnirAtFpir: Array<FnirAtFpirPoint & { bootstrap: OpenSetBootstrapInterval | null; backed: boolean; nonMatedToBack: number }>;
  /** The budget rule per FPIR target: the lowest threshold whose upper bounds of FPIR stay within it. */
  fpirBudgets: FpirBudget[];
  search: { index: string; buildSeconds: number; searchSeconds: number; queriesPerSecond: number };
  /**
   * The aivivn winner's rule at the first measurable FPIR target's distance τ with probability floor 0.9: unknown
   * iff distance > τ AND softmax probability < 0.9. It can only accept more than the distance rule alone.
   */
  aivivnPolicy: { maxDistance: number; minProbability: number; fpir: number; fnir: number } | null;
  /** Strangers accepted at the first FPIR target's threshold, highest score first (what QA looks at). */
  unknownsAccepted: Array<{ image: string; matched: string; score: number }>;
}

/** Per-probe outcome, for the run folder and for replay through the engine. */
export interface ProbeOutcome {
  image: string;
  mate: string | null;
  top1: string | null;
  score: number | null;
  mateRank: number;
}


export async function evaluateMode(manifest: DatasetManifest, split: IdentificationSplit, table: EmbeddingTable, model: string, mode: MatchMode, makeIndex: IndexFactory, opts: IdentificationOptions): Promise<{ result: ModeResult; outcomes: ProbeOutcome[]; curve: ReturnType<typeof openSetCurve> }> {
  const gallery = buildGallery(split, table, mode);
  const t0 = performance.now();
  const index = await makeIndex(gallery.vectors, gallery.dim);
  const buildSeconds = (performance.now() - t0) / 1000;
  // Probes without a face are excluded here (algorithm level) and counted in `probes.excludedFta`.
  const matedKeep = Array.from(split.mated.image.keys()).filter((k) => table.ok[split.mated.image[k]]);
  const nonKeepK = Array.from(split.nonMated.image.keys()).filter((k) => table.ok[split.nonMated.image[k]]);
  const nonKeep = nonKeepK.map((k) => split.nonMated.image[k]);
  const queries = new Float32Array((matedKeep.length + nonKeep.length) * table.dim);
  [...matedKeep.map((k) => split.mated.image[k]), ...nonKeep].forEach((img, q) => queries.set(table.vectors.subarray(img * table.dim, (img + 1) * table.dim), q * table.dim));
  const t1 = performance.now();
  const ranked = rankIdentities(index.search(queries, rowsNeeded(gallery, RANKS)), gallery, RANKS);
  const searchSeconds = (performance.now() - t1) / 1000;

  const nm = matedKeep.length;
  const mateRank = new Int32Array(nm);
  const hit = new Uint8Array(nm);
  const hitScore = new Float64Array(nm);
  matedKeep.forEach((k, q) => {
    const mate = split.mated.identity[k];
    for (let r = 0; r < RANKS; r++) if (ranked.identity[q * RANKS + r] === mate) { mateRank[q] = r + 1; break; }
    hit[q] = mateRank[q] === 1 ? 1 : 0;
    hitScore[q] = hit[q] ? ranked.score[q * RANKS] : NaN;
  });
  const nonTop1 = Float64Array.from(nonKeep, (_, j) => ranked.score[(nm + j) * RANKS]);
  const gsize = { identities: gallery.identities.length - gallery.unenrolled.length, vectors: gallery.owner.length };
  const probes: OpenSetProbes = {
    mated: { identity: Int32Array.from(matedKeep, (k) => split.mated.identity[k]), hit, score: hitScore },
    nonMated: { identity: Int32Array.from(nonKeepK, (k) => split.nonMated.person[k]), top1: nonTop1 },
    gallery: gsize,
  };
  const scores = sortOpenSet({ matedHit: hitScore.filter((_, q) => hit[q]), matedMiss: nm - hit.reduce((a, b) => a + b, 0), nonMatedTop1: nonTop1, gallery: gsize });
  const points = fnirAtFpir(scores, opts.fpirTargets, { level: opts.level }).map((p) => ({
    ...p,
    backed: p.measurable && clopperPearsonUpper(p.falsePositives, p.nonMated, opts.level).upper <= p.targetFpir,
    nonMatedToBack: p.targetFpir > 0 && p.targetFpir < 1 ? trialsToBack(p.targetFpir, opts.level) : 0,
    bootstrap:
      p.measurable && opts.bootstrap > 0
        ? bootstrapOpenSet(probes, (s) => {
            const r = thresholdForFpir(s, p.targetFpir);
            if (!r.measurable) throw new Error(`FPIR ${p.targetFpir} not measurable in this resample`);
            return r.fnir;
          }, { replicates: opts.bootstrap, seed: opts.seed, level: opts.level })
        : null,
  }));
  const fpirBudgets = opts.fpirTargets.map((f) => fpirBudget(scores, probes, f, { replicates: opts.bootstrap, seed: opts.seed, level: opts.level }));
  const first = points.find((p) => p.measurable);
  const unknownsAccepted = first && first.measurable
    ? nonKeep
        .map((img, j) => ({ image: manifest.images[img].path, matched: gallery.identities[ranked.identity[(nm + j) * RANKS]], score: nonTop1[j] }))
        .filter((u) => u.score >= first.threshold)
        .sort((a, b) => b.score - a.score)
        .slice(0, 50)
    : [];
  let aivivnPolicy: ModeResult['aivivnPolicy'] = null;
  if (first && first.measurable) {
    const policy = { kind: 'distance-and-probability' as const, maxDistance: scoreToL2Distance(Math.min(1, first.threshold)), minProbability: 0.9, scale: 64 };
    const accepts = (q: number) => decide(ranked.score.subarray(q * RANKS, (q + 1) * RANKS), policy).accepted !== null;
    let fp = 0;
    for (let j = 0; j < nonKeep.length; j++) if (accepts(nm + j)) fp++;
    let fn = 0;
    for (let q = 0; q < nm; q++) if (!hit[q] || !accepts(q)) fn++;
    aivivnPolicy = { maxDistance: policy.maxDistance, minProbability: policy.minProbability, fpir: fp / nonKeep.length, fnir: fn / nm };
  }
  const outcomes: ProbeOutcome[] = [
    ...matedKeep.map((k, q) => outcome(manifest.images[split.mated.image[k]].path, gallery.identities[split.mated.identity[k]], q)),
    ...nonKeep.map((img, j) => outcome(manifest.images[img].path, null, nm + j)),
  ];
  function outcome(image: string, mate: string | null, q: number): ProbeOutcome {
    const id = ranked.identity[q * RANKS];
    return { image, mate, top1: id >= 0 ? gallery.identities[id] : null, score: id >= 0 ? ranked.score[q * RANKS] : null, mateRank: q < nm ? mateRank[q] : 0 };
  }
  const c = cmc(mateRank, RANKS);
  return {
    result: {
      model,
      mode,
      gallery: { ...gsize, skippedImages: gallery.skippedImages, unenrolledIdentities: gallery.unenrolled.length, bytes: gallery.vectors.byteLength },
      probes: { mated: nm, nonMated: nonKeep.length, excludedFta: { mated: split.mated.image.length - nm, nonMated: split.nonMated.image.length - nonKeep.length } },
      rank1: rank1Accuracy(mateRank, { level: opts.level }),
      cmc: { rank: Array.from(c.rank), accuracy: Array.from(c.accuracy) },
      fnirAtFpir: points,
      fpirBudgets,
      search: { index: index.kind, buildSeconds, searchSeconds, queriesPerSecond: (nm + nonKeep.length) / Math.max(searchSeconds, 1e-9) },
      aivivnPolicy,
      unknownsAccepted,
    },
    outcomes,
    curve: openSetCurve(scores),
  };
}


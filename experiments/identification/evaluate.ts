import { UNKNOWN_IDENTITY_PREFIX, type DatasetManifest } from '../../datasets/manifest.js';
import type { EmbeddingTable } from '../../pipeline/embedding-table.js';
import { bootstrapOpenSet, clopperPearsonUpper, cmc, fnirAtFpir, trialsToBack, openSetCurve, rank1Accuracy, sortOpenSet, thresholdForFpir } from '../metrics/index.js';
import type { FnirAtFpirPoint, OpenSetBootstrapInterval, OpenSetProbes, Rank1Accuracy } from '../metrics/index.js';
import type { IndexFactory } from '../../search/indexes.js';
import { rankIdentities, rowsNeeded } from '../../search/vector-index.js';
import type { IdentificationSplit } from './split.js';
import { buildGallery, type MatchMode } from '../../search/templates.js';
import { AIVIVN_RULE, decide } from './policies.js';
import { groupStrangers, type AcceptedStranger, type StrangerGroups } from './strangers.js';
import { runChallenge, type ChallengeOutcome, type ChallengeProbe, type ChallengeRow, type ChallengeSpec } from './challenge.js';
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
  /** Strangers accepted at the first FPIR target's threshold, highest score first (what QA looks at); at most 50. */
  unknownsAccepted: AcceptedStranger[];
  /** All strangers accepted there, grouped by true identity and by whom they were taken for; null when no target is measurable. */
  strangers?: StrangerGroups | null;
  /** Challenge scoring (gallery/probe runs with an unknown label): both rules' MAP@5, top-1 and unknown precision/recall. */
  challenge?: ChallengeOutcome | null;
}

/** Bounds of what a result lists of the strangers who got in (the report shows thumbnails of these). */
export const STRANGER_BOUNDS = { list: 50, groups: 20, examples: 4 };

/** Per-probe outcome, for the run folder and for replay through the engine. */
export interface ProbeOutcome {
  image: string;
  mate: string | null;
  top1: string | null;
  score: number | null;
  mateRank: number;
}


/** A (model, mode)'s result, every probe's outcome, its FNIR–FPIR curve, and its challenge submissions (rows by file name). */
export interface ModeEvaluation {
  result: ModeResult;
  outcomes: ProbeOutcome[];
  curve: ReturnType<typeof openSetCurve>;
  submissions: Map<string, ChallengeRow[]>;
}

export async function evaluateMode(manifest: DatasetManifest, split: IdentificationSplit, table: EmbeddingTable, model: string, mode: MatchMode, makeIndex: IndexFactory, opts: IdentificationOptions, challenge?: ChallengeSpec): Promise<ModeEvaluation> {
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
  const accepted: AcceptedStranger[] = first && first.measurable
    ? nonKeep
        .map((img, j) => ({ image: manifest.images[img].path, identity: namedIdentity(manifest, img), matched: gallery.identities[ranked.identity[(nm + j) * RANKS]], score: nonTop1[j] }))
        .filter((u) => u.score >= first.threshold)
        .sort((a, b) => b.score - a.score)
    : [];
  const strangers = first && first.measurable ? groupStrangers(accepted, { threshold: first.threshold, targetFpir: first.targetFpir, nonMated: nonKeep.length }, STRANGER_BOUNDS) : null;
  let aivivnPolicy: ModeResult['aivivnPolicy'] = null;
  if (first && first.measurable) {
    const policy = { kind: 'distance-and-probability' as const, maxDistance: scoreToL2Distance(Math.min(1, first.threshold)), ...AIVIVN_RULE };
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
  const submissions = new Map<string, ChallengeRow[]>();
  let challengeOutcome: ChallengeOutcome | null = null;
  if (challenge) {
    const t = challenge.threshold ?? (first && first.measurable ? first.threshold : null);
    if (t === null) {
      challengeOutcome = { unknownLabel: challenge.unknownLabel, skipped: `no threshold: none of the FPIR targets ${opts.fpirTargets.join(', ')} is measurable with ${nonKeep.length} strangers; give one (--challenge-threshold)` };
    } else {
      const row = new Map<number, number>();
      matedKeep.forEach((k, q) => row.set(split.mated.image[k], q));
      nonKeep.forEach((img, j) => row.set(img, nm + j));
      const probes: ChallengeProbe[] = [
        ...Array.from(split.mated.image, (img, k) => ({ image: img, truth: split.gallery[split.mated.identity[k]].identity, row: row.get(img) ?? -1 })),
        ...Array.from(split.nonMated.image, (img) => ({ image: img, truth: challenge.unknownLabel, row: row.get(img) ?? -1 })),
      ];
      const unenrolled = new Set(gallery.unenrolled);
      const fallback = split.gallery.map((g, gi) => ({ g, gi })).filter(({ gi }) => !unenrolled.has(gi)).sort((a, b) => b.g.images.length - a.g.images.length || (a.g.identity < b.g.identity ? -1 : 1)).map(({ g }) => g.identity);
      const source = challenge.threshold !== null ? 'given (--challenge-threshold)' : `FPIR ${first!.targetFpir} on these probes' strangers`;
      const done = runChallenge(ranked, gallery.identities, probes, fallback, challenge, t, source, (rule) => `submission-${model}-${mode}-${rule}.csv`);
      for (const d of done) submissions.set(d.result.submission, d.rows);
      challengeOutcome = { unknownLabel: challenge.unknownLabel, results: done.map((d) => d.result) };
    }
  }
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
      unknownsAccepted: accepted.slice(0, STRANGER_BOUNDS.list),
      strangers,
      challenge: challengeOutcome,
    },
    outcomes,
    curve: openSetCurve(scores),
    submissions,
  };
}

/** A stranger's identity in the data, or null when it has none (its identity is only its own image: `unknown:<path>`). */
function namedIdentity(manifest: DatasetManifest, image: number): string | null {
  const r = manifest.images[image];
  return r.identity === UNKNOWN_IDENTITY_PREFIX + r.path ? null : r.identity;
}


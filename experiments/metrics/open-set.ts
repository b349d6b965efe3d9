/**
 * Open-set identification (1:N) at a threshold (docs/metrics.md, "Open-set identification (1:N)").
 * Decision rule: a search returns its top-1 candidate iff the top-1 score s >= t, else "unknown" (the seed rule
 * "unknown if the minimum distance exceeds tau" is the same decision). Every probe contributes one top-1 score,
 * so the verification machinery applies with mated hits in the place of genuine scores and non-mated top-1
 * scores in the place of impostor scores; the one difference is the mated misses (mate not at rank 1), which are
 * false negatives at every threshold, -Infinity included. FPIR grows with the gallery, so every result that
 * carries an FPIR carries the gallery size too.
 */
import { FrwError } from '../../core/errors.js';
import { checkLevel, checkThreshold } from './checks.js';
import { clopperPearson } from './confidence.js';
import { probit } from './probit.js';
import { countAtLeast, countBelow, countDistinct, forEachCandidate, toSortedFloat64 } from './sorted.js';
import { maxFalseMatches, tarAtOneFmr } from './tar-at-fmr.js';
import type { Interval, SortedScores } from './types.js';

/** The enrolled gallery searched by every probe: FPIR is only meaningful beside it. */
export interface GallerySize {
  /** Enrolled identities (>= 1). */
  readonly identities: number;
  /** Enrolled vectors (>= identities: k per identity in raw mode, 1 per identity mean-aggregated). */
  readonly vectors: number;
}

/**
 * The top-1 outcome of every probe search against one gallery. A mated probe whose mate is ranked first
 * contributes its top-1 (= mate) score to `matedHit`; one whose mate is not ranked first is counted in
 * `matedMiss` (whatever its top-1 score, it is a false negative at every threshold). A non-mated probe
 * contributes its top-1 score to `nonMatedTop1`. Scores are similarities (higher = more alike), finite.
 */
export interface OpenSetScores {
  readonly matedHit: Float64Array;
  readonly matedMiss: number;
  readonly nonMatedTop1: Float64Array;
  readonly gallery: GallerySize;
}

/** Open-set rates at one threshold under "return the top-1 candidate iff its score >= threshold". */
export interface OpenSetRates {
  readonly threshold: number;
  /** #{non-mated top-1 >= t} / N_nonMated */
  readonly fpir: number;
  /** (matedMiss + #{mated hit < t}) / N_mated */
  readonly fnir: number;
  /** 1 - FNIR */
  readonly dir: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  /** N_mated = matedHit.length + matedMiss */
  readonly mated: number;
  readonly nonMated: number;
  readonly gallery: GallerySize;
}

/** FNIR at a target FPIR the data can back: at least one non-mated probe may be a false positive. */
export interface FnirAtFpirMeasured {
  readonly targetFpir: number;
  readonly measurable: true;
  /** Lowest candidate threshold with FPIR(t) <= targetFpir: the deployment threshold for that target. */
  readonly threshold: number;
  readonly fnir: number;
  readonly dir: number;
  /** FPIR at `threshold`, <= targetFpir. */
  readonly achievedFpir: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  /** Clopper-Pearson interval of FNIR at `threshold` (the threshold taken as fixed). */
  readonly fnirInterval: Interval;
  /** Clopper-Pearson interval of FPIR at `threshold` (the threshold taken as fixed). */
  readonly fpirInterval: Interval;
  /** 1 / N_nonMated */
  readonly smallestMeasurableFpir: number;
  readonly mated: number;
  readonly nonMated: number;
  readonly gallery: GallerySize;
}

/** A target FPIR below 1/N_nonMated: no threshold can be backed, so every threshold-dependent field is null. */
export interface FnirAtFpirNotMeasurable {
  readonly targetFpir: number;
  readonly measurable: false;
  readonly threshold: null;
  readonly fnir: null;
  readonly dir: null;
  readonly achievedFpir: null;
  readonly falsePositives: null;
  readonly falseNegatives: null;
  readonly fnirInterval: null;
  readonly fpirInterval: null;
  /** 1 / N_nonMated: the smallest FPIR these non-mated probes can back. */
  readonly smallestMeasurableFpir: number;
  readonly mated: number;
  readonly nonMated: number;
  readonly gallery: GallerySize;
}

export type FnirAtFpirPoint = FnirAtFpirMeasured | FnirAtFpirNotMeasurable;

/**
 * The open-set step curve, one point per candidate threshold, from +Infinity (FPIR 0, FNIR 1) down to -Infinity
 * (FPIR 1, FNIR = matedMiss/N_mated, not 0: misses stay misses). Point i of every array belongs to threshold[i].
 * probitFpir/probitFnir are the DET axes (0 → -Infinity, 1 → +Infinity, kept so the arrays stay aligned).
 */
export interface OpenSetCurve {
  readonly threshold: Float64Array;
  readonly fpir: Float64Array;
  readonly fnir: Float64Array;
  readonly dir: Float64Array;
  readonly probitFpir: Float64Array;
  readonly probitFnir: Float64Array;
  readonly mated: number;
  readonly nonMated: number;
  readonly gallery: GallerySize;
}

/** OpenSetScores built by sortOpenSet (validated, arrays sorted ascending, frozen). */
const built = new WeakSet<object>();

/**
 * Validates and copies OpenSetScores with both score arrays sorted ascending (-0 stored as +0), frozen, so
 * several metrics on the same searches sort once. Throws EMPTY_INPUT without mated probes (FNIR undefined) or
 * without non-mated probes (FPIR undefined), BAD_INPUT for non-finite scores, a bad miss count or gallery.
 * Ties: kept (tied scores always cross a threshold together).
 */
export function sortOpenSet(s: OpenSetScores): OpenSetScores {
  if (built.has(s)) return s;
  if (s == null || typeof s !== 'object') throw new FrwError('BAD_INPUT', 'open-set scores must be an object {matedHit, matedMiss, nonMatedTop1, gallery}');
  const matedHit = toSortedFloat64(s.matedHit, 'mated hit');
  const nonMatedTop1 = toSortedFloat64(s.nonMatedTop1, 'non-mated top-1');
  const miss = s.matedMiss;
  if (!Number.isInteger(miss) || miss < 0) throw new FrwError('BAD_INPUT', `matedMiss must be a non-negative integer, got ${String(miss)}`);
  const gallery = checkGallery(s.gallery);
  if (matedHit.length + miss === 0) throw new FrwError('EMPTY_INPUT', `no mated probes (only ${nonMatedTop1.length} non-mated): FNIR and DIR are undefined`);
  if (nonMatedTop1.length === 0) throw new FrwError('EMPTY_INPUT', `no non-mated probes (only ${matedHit.length + miss} mated): FPIR is undefined`);
  return trustedOpenSet({ matedHit, matedMiss: miss, nonMatedTop1, gallery });
}

/**
 * FPIR(t) = #{non-mated top-1 >= t}/N_nonMated, FNIR(t) = (matedMiss + #{mated hit < t})/N_mated, DIR = 1 - FNIR.
 * Ties: a top-1 score equal to t is returned, so a non-mated top-1 at exactly t is a false positive and a mated
 * hit at t is a detection. O(log n) on sortOpenSet output, O(n log n) otherwise.
 */
export function openSetRatesAt(s: OpenSetScores, threshold: number): OpenSetRates {
  return ratesOf(sortOpenSet(s), checkThreshold(threshold));
}

/**
 * FNIR@FPIR=f for each target: the threshold is the lowest candidate t (distinct mated-hit and non-mated top-1
 * scores plus ±Infinity) with FPIR(t) <= f, as tarAtFmr chooses it; FNIR, DIR, the achieved FPIR and their
 * Clopper-Pearson intervals (at `level`, default 0.95) are reported there. Ties: a non-mated top-1 equal to t is a
 * false positive and tied scores never split. f·N_nonMated < 1 is not measurable: nulls, smallestMeasurableFpir.
 */
export function fnirAtFpir(s: OpenSetScores, targets: ArrayLike<number>, options: { level?: number } = {}): FnirAtFpirPoint[] {
  if (targets == null || typeof targets.length !== 'number') throw new FrwError('BAD_INPUT', 'targets must be an array of FPIR values in [0, 1]');
  const sorted = sortOpenSet(s);
  return Array.from(targets, (f) => thresholdForFpir(sorted, f, options));
}

/**
 * The deployment threshold for one target FPIR f (lowest candidate t with FPIR(t) <= f) with the rates there;
 * fnirAtFpir for a single target. Ties and the not-measurable rule (f·N_nonMated < 1) as fnirAtFpir.
 */
export function thresholdForFpir(s: OpenSetScores, target: number, options: { level?: number } = {}): FnirAtFpirPoint {
  if (typeof target !== 'number' || !(target >= 0 && target <= 1)) throw new FrwError('BAD_INPUT', `target FPIR must be in [0, 1], got ${String(target)}`);
  const level = checkLevel(options.level ?? 0.95);
  const sorted = sortOpenSet(s);
  const n = sorted.nonMatedTop1.length;
  const base = { targetFpir: target, smallestMeasurableFpir: 1 / n, mated: sorted.matedHit.length + sorted.matedMiss, nonMated: n, gallery: sorted.gallery };
  if (maxFalseMatches(target, n) < 1) {
    return { ...base, measurable: false, threshold: null, fnir: null, dir: null, achievedFpir: null, falsePositives: null, falseNegatives: null, fnirInterval: null, fpirInterval: null };
  }
  // The TAR@FMR threshold rule on (hits, non-mated top-1): lowest candidate keeping FPIR <= target. Its TAR is
  // ignored (it would leave out the misses); the rates are recomputed at the chosen threshold.
  const threshold = tarAtOneFmr(asScores(sorted), target).threshold as number;
  const r = ratesOf(sorted, threshold);
  return {
    ...base,
    measurable: true,
    threshold,
    fnir: r.fnir,
    dir: r.dir,
    achievedFpir: r.fpir,
    falsePositives: r.falsePositives,
    falseNegatives: r.falseNegatives,
    fnirInterval: clopperPearson(r.falseNegatives, r.mated, level),
    fpirInterval: clopperPearson(r.falsePositives, r.nonMated, level),
  };
}

/**
 * The FPIR/FNIR step curve (DET-style, FNIR against FPIR) at every candidate threshold, from +Infinity down to
 * -Infinity, as typed arrays (no per-point objects). Ties: all top-1 scores equal to t are returned together
 * (s >= t), so tied mated and non-mated scores move the curve diagonally in one step. O(n log n), O(n) sorted.
 */
export function openSetCurve(s: OpenSetScores): OpenSetCurve {
  const sorted = sortOpenSet(s);
  const hits = sorted.matedHit.length;
  const mated = hits + sorted.matedMiss;
  const nonMated = sorted.nonMatedTop1.length;
  const n = countDistinct(sorted.matedHit, sorted.nonMatedTop1) + 2;
  const threshold = new Float64Array(n);
  const fpir = new Float64Array(n);
  const fnir = new Float64Array(n);
  const dir = new Float64Array(n);
  const probitFpir = new Float64Array(n);
  const probitFnir = new Float64Array(n);
  let k = 0;
  forEachCandidate(asScores(sorted), (t, acceptedHits, falsePositives) => {
    threshold[k] = t;
    // Rates from counts, never 1 - other rate, as rocCurve does.
    fpir[k] = falsePositives / nonMated;
    fnir[k] = (mated - acceptedHits) / mated;
    dir[k] = acceptedHits / mated;
    probitFpir[k] = probit(fpir[k]);
    probitFnir[k] = probit(fnir[k]);
    k++;
  });
  return { threshold, fpir, fnir, dir, probitFpir, probitFnir, mated, nonMated, gallery: sorted.gallery };
}

/**
 * Freezes and marks OpenSetScores as built by sortOpenSet without checking them (internal: for callers that
 * built validated, ascending arrays themselves, like the bootstrap's in-order rebuild). Ties: not applicable.
 */
export function trustedOpenSet(s: OpenSetScores): OpenSetScores {
  const frozen = Object.freeze({ ...s, gallery: Object.freeze({ ...s.gallery }) });
  built.add(frozen);
  return frozen;
}

/** Throws BAD_INPUT unless the gallery is {identities >= 1, vectors >= identities}, integers; returns a copy. */
export function checkGallery(g: GallerySize): GallerySize {
  const ok = g != null && Number.isInteger(g.identities) && g.identities >= 1 && Number.isInteger(g.vectors) && g.vectors >= g.identities;
  if (!ok) throw new FrwError('BAD_INPUT', `gallery must be {identities >= 1, vectors >= identities} (integers), got ${JSON.stringify(g)}`);
  return { identities: g.identities, vectors: g.vectors };
}

/** The hits and non-mated top-1 scores viewed as genuine/impostor scores, for the shared threshold sweeps. */
function asScores(s: OpenSetScores): SortedScores {
  return { genuine: s.matedHit, impostor: s.nonMatedTop1 };
}

function ratesOf(s: OpenSetScores, t: number): OpenSetRates {
  const mated = s.matedHit.length + s.matedMiss;
  const nonMated = s.nonMatedTop1.length;
  const falsePositives = countAtLeast(s.nonMatedTop1, t);
  const falseNegatives = s.matedMiss + countBelow(s.matedHit, t);
  return {
    threshold: t,
    fpir: falsePositives / nonMated,
    fnir: falseNegatives / mated,
    dir: (mated - falseNegatives) / mated,
    falsePositives,
    falseNegatives,
    mated,
    nonMated,
    gallery: s.gallery,
  };
}

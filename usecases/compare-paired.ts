/**
 * The paired tests of two rows of a comparison (docs/metrics.md, "Comparing two models on the same comparisons"),
 * from the scores the runs kept: exact McNemar at a decision rule, and the paired bootstrap over identities of
 * ΔTAR@FMR and ΔEER. Only comparisons both models scored take part (a failure to acquire in either is left out
 * and counted), so the paired numbers can differ slightly from each run's own metrics when the pipelines differ.
 */
import { FrwError } from '../core/errors.js';
import type { ModeResult, ProbeOutcome } from '../experiments/identification/evaluate.js';
import { eer, maxFalseMatches, mcnemarTest, pairedVerification, sortScores, tarAtFmr, tenFoldAccuracy, type McNemarTest, type PairedComparisons, type PairedDifference } from '../experiments/metrics/index.js';
import type { RunPairs } from '../runs/scores.js';
import type { ResampleUnit } from '../experiments/metrics/bootstrap.js';

/** How each model decides for McNemar: its own threshold for the same rule. */
export type DecisionRule = { kind: 'ten-fold' } | { kind: 'fmr'; target: number } | { kind: 'eer' } | { kind: 'fpir'; target: number };

/** `ten-fold`, `fmr=<f>`, `eer` (verification) or `fpir=<h>` (identification). */
export function parseDecisionRule(text: string): DecisionRule {
  const t = text.trim();
  if (t === 'ten-fold' || t === 'eer') return { kind: t };
  const m = /^(fmr|fpir)=([0-9.eE+-]+)$/.exec(t);
  const target = m ? Number(m[2]) : Number.NaN;
  if (m && target > 0 && target < 1) return { kind: m[1] as 'fmr' | 'fpir', target };
  throw new FrwError('BAD_INPUT', `--rule must be ten-fold, fmr=<target in (0, 1)>, eer or fpir=<target in (0, 1)>; got "${text}"`);
}

export function describeRule(r: DecisionRule): string {
  switch (r.kind) {
    case 'ten-fold':
      return 'each model at its own LFW 10-fold thresholds: every comparison decided by the threshold chosen on the other nine folds (best accuracy), as its 10-fold accuracy is';
    case 'fmr':
      return `each model at its own TAR@FMR=${r.target} threshold (the lowest with FMR <= ${r.target} on its own scores; accept iff s >= t)`;
    case 'eer':
      return 'each model at its own EER threshold (FVC2000; accept iff s >= t)';
    case 'fpir':
      return `each model at its own FNIR@FPIR=${r.target} threshold (the lowest with FPIR <= ${r.target}; a mated probe is right when its mate is top-1 with score >= t, a stranger when the top-1 score is < t)`;
  }
}

export interface PairedDelta {
  statistic: string;
  result: PairedDifference | null;
  unavailable: string | null;
}

export interface PairedTests {
  a: string;
  b: string;
  /** Comparisons (or probes) both scored, and those left out because either model lost the face. */
  comparisons: number;
  excludedFta: number;
  rule: string;
  mcnemar: McNemarTest | null;
  mcnemarUnavailable: string | null;
  deltas: PairedDelta[];
}

export interface PairedOptions {
  rule: DecisionRule;
  targets: number[];
  replicates: number;
  seed: number;
  level: number;
  /** Identity index of an image path, for the bootstrap; a reason instead when the run's dataset cannot say. */
  identity: ((path: string) => number) | { unavailable: string };
  /** What the bootstrap resamples: identities, or images for a set that names none (a pair-only set). */
  unit?: ResampleUnit;
}

export interface VerificationSide {
  label: string;
  pairs: RunPairs;
}

/** Per comparison, the model's threshold under the rule (computed on all the comparisons the model scored). */
function thresholds(p: RunPairs, rule: DecisionRule): Float64Array {
  const kept = Array.from(p.score.keys()).filter((k) => !Number.isNaN(p.score[k]));
  if (rule.kind === 'ten-fold') {
    if (!p.fold) throw new FrwError('BAD_INPUT', 'the ten-fold rule needs the folds of an lfw-10fold run; use --rule fmr=<target> or eer');
    const fold = p.fold;
    const r = tenFoldAccuracy({ score: kept.map((k) => p.score[k]), same: kept.map((k) => p.same[k]), fold: kept.map((k) => fold[k]) });
    const byFold = new Map(r.folds.map((f) => [f.fold, f.threshold]));
    return Float64Array.from(fold, (f) => byFold.get(f) ?? Number.NaN);
  }
  if (rule.kind === 'fpir') throw new FrwError('BAD_INPUT', 'fpir=<target> is an identification rule; verification runs take ten-fold, fmr=<target> or eer');
  const sorted = sortScores(kept.filter((k) => p.same[k]).map((k) => p.score[k]), kept.filter((k) => !p.same[k]).map((k) => p.score[k]));
  let t: number;
  if (rule.kind === 'eer') t = eer(sorted).threshold;
  else {
    const r = tarAtFmr(sorted, [rule.target])[0];
    if (!r.measurable) throw new FrwError('NOT_MEASURABLE', `FMR ${rule.target} is not measurable with ${sorted.impostor.length.toLocaleString('en')} impostor comparisons (smallest: ${r.smallestMeasurableFmr.toExponential(2)})`);
    t = r.threshold;
  }
  return new Float64Array(p.score.length).fill(t);
}

const attempt = <T>(fn: () => T): { value: T | null; why: string | null } => {
  try {
    return { value: fn(), why: null };
  } catch (e) {
    if (e instanceof FrwError && e.code !== 'INTERNAL') return { value: null, why: e.message };
    throw e;
  }
};

/** McNemar and the paired bootstrap of two models of verification runs on the same comparisons (same order). */
export function verificationPairedTests(a: VerificationSide, b: VerificationSide, o: PairedOptions): PairedTests {
  const [pa, pb] = [a.pairs, b.pairs];
  if (pa.score.length !== pb.score.length) throw new FrwError('INTEGRITY', `${a.label} and ${b.label} hold ${pa.score.length} and ${pb.score.length} comparisons: not the same list`);
  for (let k = 0; k < pa.score.length; k++) {
    if (pa.a[k] !== pb.a[k] || pa.b[k] !== pb.b[k] || pa.same[k] !== pb.same[k]) throw new FrwError('INTEGRITY', `${a.label} and ${b.label} differ at comparison #${k} (${pa.a[k]} – ${pa.b[k]} against ${pb.a[k]} – ${pb.b[k]}): not the same list`);
  }
  const both = Array.from(pa.score.keys()).filter((k) => !Number.isNaN(pa.score[k]) && !Number.isNaN(pb.score[k]));
  const base = { a: a.label, b: b.label, comparisons: both.length, excludedFta: pa.score.length - both.length, rule: describeRule(o.rule) };
  const m = attempt(() => {
    const [ta, tb] = [thresholds(pa, o.rule), thresholds(pb, o.rule)];
    const part = (genuine: boolean): PairedComparisons => {
      const ks = both.filter((k) => (pa.same[k] === 1) === genuine);
      return { scoreA: ks.map((k) => pa.score[k]), scoreB: ks.map((k) => pb.score[k]), thresholdA: ks.map((k) => ta[k]), thresholdB: ks.map((k) => tb[k]) };
    };
    return mcnemarTest(part(true), part(false), o.level);
  });
  const statistics = [...o.targets.map((f) => `TAR@FMR=${f}`), 'EER'];
  const identity = o.identity;
  const unavailable = (why: string) => ({ ...base, mcnemar: m.value, mcnemarUnavailable: m.why, deltas: statistics.map((statistic) => ({ statistic, result: null, unavailable: why })) });
  if (typeof identity !== 'function') return unavailable(identity.unavailable);
  const named = attempt(() => {
    const ids = (names: string[]) => Int32Array.from(both, (k) => {
      const id = identity(names[k]);
      if (id < 0) throw new FrwError('INTEGRITY', `${names[k]} is not in the run's dataset any more`);
      return id;
    });
    return { scoreA: both.map((k) => pa.score[k]), scoreB: both.map((k) => pb.score[k]), same: both.map((k) => pa.same[k]), idA: ids(pa.a), idB: ids(pa.b), unit: o.unit };
  });
  if (!named.value) return unavailable(`the paired bootstrap needs each comparison's identities: ${named.why}`);
  const pairs = named.value;
  const impostors = pairs.same.filter((s) => s === 0).length;
  // Targets these comparisons cannot measure (f·N < 1) are said once, so the reasons group; the rest share replicates.
  const measurable = o.targets.filter((f) => maxFalseMatches(f, impostors) >= 1);
  const computed = attempt(() => pairedVerification(pairs, measurable, { replicates: o.replicates, seed: o.seed, level: o.level }));
  const byName = new Map((computed.value ?? []).map((d) => [d.statistic, d]));
  const deltas: PairedDelta[] = statistics.map((statistic, k) => {
    const result = byName.get(statistic) ?? null;
    if (result) return { statistic, result, unavailable: null };
    const f = o.targets[k];
    return { statistic, result: null, unavailable: k < o.targets.length && maxFalseMatches(f, impostors) < 1 ? `not measurable with ${impostors.toLocaleString('en')} impostor comparisons (smallest FMR 1/${impostors.toLocaleString('en')})` : computed.why ?? 'not computed' };
  });
  return { ...base, mcnemar: m.value, mcnemarUnavailable: m.why, deltas };
}

export interface IdentificationSide {
  label: string;
  outcomes: ProbeOutcome[];
  result: ModeResult;
}

/** McNemar of two (model, mode) results of identification runs on the same split, probe by probe. */
export function identificationPairedTests(a: IdentificationSide, b: IdentificationSide, o: PairedOptions): PairedTests {
  const byImage = new Map(b.outcomes.map((x) => [x.image, x]));
  const both = a.outcomes.filter((x) => byImage.has(x.image));
  const excludedFta = a.outcomes.length + b.outcomes.length - 2 * both.length;
  const base = { a: a.label, b: b.label, comparisons: both.length, excludedFta, rule: describeRule(o.rule) };
  const noBootstrap = [{ statistic: 'ΔFNIR@FPIR', result: null, unavailable: 'the paired bootstrap is offered for verification runs (ΔTAR@FMR, ΔEER); identification runs get the McNemar test' }];
  const rule = o.rule;
  if (rule.kind !== 'fpir') return { ...base, mcnemar: null, mcnemarUnavailable: 'identification runs are compared at fpir=<target>', deltas: noBootstrap };
  const m = attempt(() => {
    const t = (r: ModeResult) => {
      const p = r.fnirAtFpir.find((x) => x.targetFpir === rule.target);
      if (!p) throw new FrwError('NOT_MEASURABLE', `${r.model}/${r.mode} was not evaluated at FPIR ${rule.target}; its targets are ${r.fnirAtFpir.map((x) => x.targetFpir).join(', ')}`);
      if (!p.measurable) throw new FrwError('NOT_MEASURABLE', `FPIR ${rule.target} is not measurable with ${r.probes.nonMated.toLocaleString('en')} strangers`);
      return p.threshold;
    };
    const [ta, tb] = [t(a.result), t(b.result)];
    // A mated probe is right when its mate is top-1 with score >= t: a miss at rank 1 scores -Infinity here.
    const eff = (x: ProbeOutcome) => (x.mate !== null && x.mateRank !== 1 ? -Infinity : (x.score ?? -Infinity));
    const part = (mated: boolean): PairedComparisons => {
      const xs = both.filter((x) => (x.mate !== null) === mated);
      return { scoreA: xs.map(eff), scoreB: xs.map((x) => eff(byImage.get(x.image)!)), thresholdA: xs.map(() => ta), thresholdB: xs.map(() => tb) };
    };
    return mcnemarTest(part(true), part(false), o.level);
  });
  return { ...base, mcnemar: m.value, mcnemarUnavailable: m.why, deltas: noBootstrap };
}

/** One sentence per test: who beats whom, or that this data backs no difference. */
export function verdicts(t: PairedTests): string[] {
  const out: string[] = [];
  const name = (s: 'a' | 'b') => (s === 'a' ? t.a : t.b);
  const other = (s: 'a' | 'b') => (s === 'a' ? t.b : t.a);
  if (t.mcnemar) {
    const m = t.mcnemar;
    const counts = `${m.onlyA} comparisons only ${t.a} decides right, ${m.onlyB} only ${t.b}; exact McNemar p = ${m.pValue.toPrecision(3)}`;
    out.push(m.better ? `${name(m.better)} beats ${other(m.better)} at its decision rule (${counts})` : `no difference backed by this data at the decision rule (${counts})`);
  } else out.push(`McNemar: ${t.mcnemarUnavailable}`);
  for (const d of t.deltas) {
    if (!d.result) continue;
    const r = d.result;
    out.push(r.better ? `${name(r.better)} beats ${other(r.better)} on ${d.statistic}: the ${Math.round(100 * r.difference.level)}% interval of ${t.a} − ${t.b} excludes 0` : `${d.statistic}: no difference backed by this data (the interval of ${t.a} − ${t.b} includes 0)`);
  }
  return out;
}

import { count, sci } from '../../../reports/format.js';
import type { ModelMetrics, ModeResult } from './api.js';

/**
 * The threshold rules a run offers for one model, as the server's rule names (usecases/export-config.ts parseRule),
 * each with why it is unavailable (null when it is not). Unavailable rules are shown, disabled, with the reason,
 * never hidden and never replaced by another: the explorer, the export view and their link agree on one rule.
 */
export interface RuleOption {
  rule: string;
  label: string;
  unavailable: string | null;
}

/** The FMR targets offered as presets; each also as a budget (its one-sided upper bound within it). */
const PRESET_FMRS = [1e-2, 1e-3, 1e-4];

/** Verification rules for one model: point FMR targets, budgets, EER, best accuracy, Youden's J (and a hand-set threshold). */
export function verificationRules(m: ModelMetrics | undefined, extraTargets: readonly number[] = []): RuleOption[] {
  const targets = [...new Set([...PRESET_FMRS, ...extraTargets])].sort((a, b) => b - a);
  const report = (f: number) => m?.tarAtFmr.find((t) => t.targetFmr === f);
  const impostors = m ? count(m.counts.impostor) : '?';
  const point = targets.map((f): RuleOption => {
    const t = report(f);
    const unavailable = !t
      ? `this run did not compute FMR ${sci(f)}`
      : t.measurable
        ? null
        : `not measurable: ${impostors} impostor comparisons measure FMR ≥ ${sci(t.smallestMeasurableFmr)}`;
    return { rule: `fmr=${f}`, label: `FMR ≤ ${sci(f)}`, unavailable };
  });
  const bound = targets.map((f): RuleOption => {
    const t = report(f);
    const unavailable = !t || t.impostorsToBack === undefined
      ? `this run did not compute what backing FMR ${sci(f)} takes`
      : m!.counts.impostor < t.impostorsToBack
        ? `cannot be backed: it takes at least ${count(t.impostorsToBack)} impostor comparisons, this run has ${impostors}`
        : null;
    return { rule: `fmr-bound=${f}`, label: `FMR bound ≤ ${sci(f)}`, unavailable };
  });
  const named: RuleOption[] = [
    { rule: 'eer', label: 'EER', unavailable: null },
    { rule: 'best-accuracy', label: 'best accuracy', unavailable: null },
    { rule: 'youden', label: "Youden's J", unavailable: null },
  ];
  return [...point, ...bound, ...named];
}

/** Identification rules for one model and mode: its FPIR targets, each also as a budget (its upper bounds within it). */
export function identificationRules(r: ModeResult | undefined): RuleOption[] {
  const point = (r?.fnirAtFpir ?? []).map((p) => ({
    rule: `fpir=${p.targetFpir}`,
    label: `FPIR ≤ ${sci(p.targetFpir)}`,
    unavailable: p.measurable ? null : `not measurable: ${count(r!.probes.nonMated)} strangers measure FPIR ≥ ${sci(p.smallestMeasurableFpir)}`,
  }));
  const bound = (r?.fpirBudgets ?? []).map((b) => ({
    rule: `fpir-bound=${b.targetFpir}`,
    label: `FPIR bound ≤ ${sci(b.targetFpir)}`,
    unavailable: b.backable ? null : `cannot be backed: it takes at least ${count(b.nonMatedToBack)} strangers, this run has ${count(b.nonMated)}`,
  }));
  return [...point, ...bound];
}

/** The similarity of a `fixed=<t>` rule, as the server reads it (a number in [-1, 1]), else null. */
export function fixedThresholdOf(rule: string): number | null {
  const m = /^fixed=(-?[0-9.eE+-]+)$/.exec(rule);
  const t = m ? Number(m[1]) : Number.NaN;
  return t >= -1 && t <= 1 ? t : null;
}

/** A hand-set similarity threshold as a rule (the explorer's dragged threshold). */
export const fixedRule = (t: number): RuleOption => ({ rule: `fixed=${t}`, label: `threshold ${t.toFixed(4)} (set by hand)`, unavailable: null });

/**
 * Why `rule` cannot be exported from these options (null when it can): not offered at all, or offered and
 * unavailable with its reason. Export refuses such a request and says this, instead of choosing another rule.
 */
export function refusalOf(rule: string, options: readonly RuleOption[]): string | null {
  if (!rule) return null;
  const o = options.find((x) => x.rule === rule);
  if (/^fixed=/.test(rule) && !o) return fixedThresholdOf(rule) === null ? `"${rule}" is not a similarity threshold in [-1, 1]` : 'a hand-set threshold applies to verification runs only';
  if (!o) return `this run does not offer the rule "${rule}" for this model`;
  return o.unavailable ? `${o.label}: ${o.unavailable}` : null;
}

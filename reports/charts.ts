import type { Histogram, ScoreView } from '../experiments/distributions.js';
import type { TopLevelSpec } from 'vega-lite';

/**
 * Vega-lite specs for the evaluation charts, as pure functions of plain data (no metric maths here: callers pass
 * curves computed by experiments/metrics). Shared by the HTML report and the workbench.
 */


export const AXIS_TITLE: Record<ScoreView, string> = {
  similarity: 'cosine similarity (higher = more alike)',
  'cosine-distance': 'cosine distance 1 − s',
  'l2-distance': 'L2 distance √(2 − 2s) of unit vectors',
};

/** Genuine and impostor score histograms overlaid (each normalised to its own total), with the threshold rule. */
export function distributionSpec(input: { genuine: Histogram; impostor: Histogram; threshold?: number; axis: ScoreView; title?: string }): TopLevelSpec {
  const rows = (h: Histogram, kind: string) => binShares(h).map((b) => ({ kind, ...b }));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.title ?? 'Genuine and impostor score distributions',
    width: 560,
    height: 260,
    data: { values: [...rows(input.genuine, 'genuine'), ...rows(input.impostor, 'impostor')] },
    layer: [
      {
        mark: { type: 'rect', opacity: 0.55 },
        encoding: {
          x: { field: 'x0', type: 'quantitative', title: AXIS_TITLE[input.axis] },
          x2: { field: 'x1' },
          y: { field: 'share', type: 'quantitative', title: 'share of comparisons', stack: null },
          color: { field: 'kind', type: 'nominal', scale: { domain: ['genuine', 'impostor'], range: ['#2a9d8f', '#e76f51'] }, title: null },
          tooltip: [{ field: 'kind' }, { field: 'x0', format: '.3f', title: 'from' }, { field: 'x1', format: '.3f', title: 'to' }, { field: 'count' }],
        },
      },
      ...(input.threshold === undefined
        ? []
        : [{ data: { values: [{ t: input.threshold }] }, mark: { type: 'rule', color: '#222', strokeDash: [4, 3] }, encoding: { x: { field: 't', type: 'quantitative' } } }]),
    ],
  };
  return spec as TopLevelSpec;
}

/**
 * The impostor tail near the threshold on a log scale: counts per bin (genuine and impostor) from `threshold - window`
 * up, so the few impostors that decide a small FMR are visible next to the thousands that do not. Empty bins are
 * left out: a log axis has no place for 0.
 */
export function tailSpec(input: { genuine: Histogram; impostor: Histogram; threshold: number; window?: number; title?: string }): TopLevelSpec {
  const from = input.threshold - (input.window ?? 0.3);
  const rows = (h: Histogram, kind: string) => binShares(h).filter((b) => b.count > 0 && b.x1 > from).map((b) => ({ kind, x0: b.x0, x1: b.x1, count: b.count }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.title ?? 'Impostor tail near the threshold (log scale)',
    width: 560,
    height: 200,
    layer: [
      {
        data: { values: [...rows(input.impostor, 'impostor'), ...rows(input.genuine, 'genuine')] },
        mark: { type: 'rect', opacity: 0.6 },
        encoding: {
          x: { field: 'x0', type: 'quantitative', title: 'cosine similarity', scale: { domainMin: from } },
          x2: { field: 'x1' },
          y: { field: 'count', type: 'quantitative', title: 'comparisons per bin (log)', scale: { type: 'log', domainMin: 0.8 }, stack: null },
          color: { field: 'kind', type: 'nominal', scale: { domain: ['genuine', 'impostor'], range: ['#2a9d8f', '#e76f51'] }, title: null },
          tooltip: [{ field: 'kind' }, { field: 'x0', format: '.3f', title: 'from' }, { field: 'x1', format: '.3f', title: 'to' }, { field: 'count' }],
        },
      },
      { data: { values: [{ t: input.threshold }] }, mark: { type: 'rule', color: '#222', strokeDash: [4, 3] }, encoding: { x: { field: 't', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

export interface CurveSeries {
  model: string;
  /** Parallel arrays: one point per threshold. */
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** ROC (TAR against FMR, FMR on a log axis) for several models, with optional operating points. */
export function rocSpec(series: CurveSeries[], points: Array<{ model: string; fmr: number; tar: number; label: string }> = []): TopLevelSpec {
  // The smallest FMR any model reaches (1/N_impostor at best) sets the left edge of the log axis.
  const minFmr = Math.max(1e-9, Math.min(...series.map((s) => minPositive(s.x))));
  const values = series.flatMap((s) => zip(s).filter((p) => p.x > 0).map((p) => ({ model: s.model, fmr: p.x, tar: p.y })));
  // A point at FMR 0 has no place on a log axis (as for the curve itself).
  const placed = points.filter((p) => p.fmr > 0);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'ROC: true accept rate against false match rate',
    width: 420,
    height: 320,
    layer: [
      {
        data: { values },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: { field: 'fmr', type: 'quantitative', scale: { type: 'log', domain: [minFmr, 1] }, title: 'FMR (log)' },
          y: { field: 'tar', type: 'quantitative', scale: { zero: false }, title: 'TAR = 1 − FNMR' },
          color: { field: 'model', type: 'nominal' },
        },
      },
      ...(placed.length === 0 ? [] : [{
        data: { values: placed },
        mark: { type: 'point', filled: true, size: 70 },
        encoding: { x: { field: 'fmr', type: 'quantitative' }, y: { field: 'tar', type: 'quantitative' }, color: { field: 'model', type: 'nominal' }, tooltip: [{ field: 'label' }, { field: 'fmr', format: '.2e' }, { field: 'tar', format: '.4f' }] },
      }]),
    ],
  } as TopLevelSpec;
}

/**
 * DET: probit(FNMR) against probit(FMR). Axis labels show the rates themselves; points at rate 0 or 1 (±∞ on a
 * probit axis) are left out, as plots cannot place them. `points` mark operating points (given as probits).
 */
export function detSpec(series: CurveSeries[], points: Array<{ model: string; px: number; py: number; label: string }> = []): TopLevelSpec {
  const values = series.flatMap((s) => zip(s).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).map((p) => ({ model: s.model, px: p.x, py: p.y })));
  // Ticks at round rates (1e-6 … 0.5), placed at their probits; labels turn the probit back into the rate.
  const ticks = [-4.753424, -4.264891, -3.719016, -3.090232, -2.326348, -1.281552, 0, 1.281552];
  const axis = (title: string) => ({ title, values: ticks, labelExpr: "format(cumulativeNormal(datum.value), '.1~g')" });
  const x = { field: 'px', type: 'quantitative', axis: axis('FMR (normal-deviate scale)'), scale: { domain: [-4.8, 1.5], clamp: true } };
  const y = { field: 'py', type: 'quantitative', axis: axis('FNMR (normal-deviate scale)'), scale: { domain: [-4.8, 1.5], clamp: true } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'DET: FNMR against FMR on normal-deviate axes',
    width: 360,
    height: 320,
    layer: [
      { data: { values }, mark: { type: 'line', interpolate: 'step-after' }, encoding: { x, y, color: { field: 'model', type: 'nominal' } } },
      ...(points.length === 0
        ? []
        : [{ data: { values: points }, mark: { type: 'point', filled: true, size: 90, shape: 'diamond' }, encoding: { x: { field: 'px', type: 'quantitative' }, y: { field: 'py', type: 'quantitative' }, color: { field: 'model', type: 'nominal' }, tooltip: [{ field: 'label' }] } }]),
    ],
  } as TopLevelSpec;
}

/** Several models' genuine and impostor distributions as lines (colour: model, dash: genuine or impostor). */
export function distributionsOverlaySpec(series: Array<{ model: string; genuine: Histogram; impostor: Histogram }>, axis: ScoreView): TopLevelSpec {
  const rows = (model: string, h: Histogram, kind: string) => binShares(h).map((b) => ({ model, kind, x: (b.x0 + b.x1) / 2, share: b.share }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Score distributions by model (solid: genuine, dashed: impostor)',
    width: 560,
    height: 260,
    data: { values: series.flatMap((s) => [...rows(s.model, s.genuine, 'genuine'), ...rows(s.model, s.impostor, 'impostor')]) },
    mark: { type: 'line', interpolate: 'step' },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: AXIS_TITLE[axis] },
      y: { field: 'share', type: 'quantitative', title: 'share of comparisons' },
      color: { field: 'model', type: 'nominal' },
      strokeDash: { field: 'kind', type: 'nominal', scale: { domain: ['genuine', 'impostor'], range: [[1, 0], [5, 3]] }, title: null },
      detail: { field: 'kind' },
    },
  } as TopLevelSpec;
}

/** FMR and FNMR against the threshold: where the two error curves cross is the EER. */
export function ratesVsThresholdSpec(input: { model: string; threshold: ArrayLike<number>; fmr: ArrayLike<number>; fnmr: ArrayLike<number>; operating?: number }): TopLevelSpec {
  const values: Array<{ t: number; rate: number; kind: string }> = [];
  for (let i = 0; i < input.threshold.length; i++) {
    if (!Number.isFinite(input.threshold[i])) continue;
    values.push({ t: input.threshold[i], rate: input.fmr[i], kind: 'FMR' }, { t: input.threshold[i], rate: input.fnmr[i], kind: 'FNMR' });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${input.model}: error rates against threshold`,
    width: 420,
    height: 260,
    layer: [
      { data: { values }, mark: { type: 'line', interpolate: 'step-after' }, encoding: { x: { field: 't', type: 'quantitative', title: 'threshold (cosine similarity)' }, y: { field: 'rate', type: 'quantitative', title: 'rate' }, color: { field: 'kind', type: 'nominal', title: null } } },
      ...(input.operating === undefined ? [] : [{ data: { values: [{ t: input.operating }] }, mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { x: { field: 't', type: 'quantitative' } } }]),
    ],
  } as TopLevelSpec;
}

/** CMC curves (rank-k identification rate, closed set) of every (model, mode). */
export function cmcSpec(series: Array<{ label: string; rank: number[]; accuracy: number[] }>): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'CMC: mate within the top k (closed set)',
    width: 380,
    height: 280,
    data: { values: series.flatMap((s) => s.rank.map((r, i) => ({ series: s.label, rank: r, accuracy: s.accuracy[i] }))) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'rank', type: 'quantitative', title: 'rank k', scale: { domain: [1, 20] } },
      y: { field: 'accuracy', type: 'quantitative', title: 'identification rate', scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  } as TopLevelSpec;
}

/** FNIR against FPIR (log FPIR): the open-set trade-off a deployment threshold picks a point on. */
export function fpirFnirSpec(series: Array<{ label: string; fpir: ArrayLike<number>; fnir: ArrayLike<number> }>): TopLevelSpec {
  const values: Array<{ series: string; fpir: number; fnir: number }> = [];
  for (const s of series) for (let i = 0; i < s.fpir.length; i++) if (s.fpir[i] > 0) values.push({ series: s.label, fpir: s.fpir[i], fnir: s.fnir[i] });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'FNIR against FPIR (unknowns rejected by threshold)',
    width: 380,
    height: 280,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'fpir', type: 'quantitative', scale: { type: 'log' }, title: 'FPIR (strangers accepted), log' },
      y: { field: 'fnir', type: 'quantitative', title: 'FNIR (enrolled people missed)' },
      color: { field: 'series', type: 'nominal', title: null },
    },
  } as TopLevelSpec;
}

/**
 * Threshold transfer: per held-out fold, the FMR met on it (with its interval) by the threshold tuned on the other
 * folds, against the target the threshold was tuned for.
 */
export function foldTransferSpec(input: { model: string; target: number; folds: Array<{ fold: number; fmr: number; lower: number; upper: number }> }): TopLevelSpec {
  const values = input.folds.map((f) => ({ ...f, fold: f.fold + 1 }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${input.model}: held-out FMR of a threshold tuned for FMR ≤ ${input.target} on the other folds`,
    width: 420,
    height: 260,
    layer: [
      { data: { values }, mark: { type: 'rule' }, encoding: { x: { field: 'fold', type: 'ordinal', title: 'held-out fold' }, y: { field: 'lower', type: 'quantitative', title: 'FMR on the held-out fold (95% Clopper-Pearson)' }, y2: { field: 'upper' } } },
      { data: { values }, mark: { type: 'point', filled: true, size: 60 }, encoding: { x: { field: 'fold', type: 'ordinal' }, y: { field: 'fmr', type: 'quantitative' }, tooltip: [{ field: 'fold' }, { field: 'fmr', format: '.2e' }, { field: 'lower', format: '.2e' }, { field: 'upper', format: '.2e' }] } },
      { data: { values: [{ target: input.target }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#e76f51' }, encoding: { y: { field: 'target', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

/** Each bin with its share of the histogram's total (a class's distribution, whatever its size). */
function binShares(h: Histogram): Array<{ x0: number; x1: number; share: number; count: number }> {
  const total = h.counts.reduce((a, b) => a + b, 0) || 1;
  return h.counts.map((c, i) => ({ x0: h.edges[i], x1: h.edges[i + 1], share: c / total, count: c }));
}

/** Smallest positive value (Infinity when none): the left end of a log-scaled rate axis. */
function minPositive(a: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] > 0 && a[i] < m) m = a[i];
  return m;
}

function zip(s: CurveSeries): Array<{ x: number; y: number }> {
  const out = new Array(s.x.length);
  for (let i = 0; i < s.x.length; i++) out[i] = { x: s.x[i], y: s.y[i] };
  return out;
}

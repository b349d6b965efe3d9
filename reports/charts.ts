import type { Histogram, ScoreView } from '../experiments/distributions.js';
import type { TopLevelSpec } from 'vega-lite';

/**
 * Vega-lite specs for the evaluation charts, as pure functions of plain data (no metric maths here: callers pass
 * curves computed by experiments/metrics). Shared by the HTML report and the workbench.
 */

/**
 * Names of the vega params behind what moves in the threshold explorer: the threshold rule and the operating point.
 * The workbench sets them with view.signal while the threshold is dragged, so a chart is drawn again, not rebuilt.
 */
export const CHART_PARAMS = { threshold: 'threshold', fmr: 'op_fmr', tar: 'op_tar', probitFmr: 'op_pfmr', probitFnmr: 'op_pfnmr' } as const;

/** An operating point placed through CHART_PARAMS: null where it has no place (no point yet, a rate of 0 or 1 on a probit axis). */
export interface MovingPoint {
  model: string;
  label: string;
  x: number | null;
  y: number | null;
}

/** The params a spec declares: the only signals a chart may set on its view (vega refuses any other name). */
export function paramNames(spec: TopLevelSpec): string[] {
  return ((spec as { params?: Array<{ name: string }> }).params ?? []).map((p) => p.name);
}

/**
 * Colour by model. With a moving point the domain is given (the models of the curves): otherwise every move of the
 * point's layer would recompute the colour scale from the data and redraw each curve with it.
 */
function modelColor(series: CurveSeries[], moving?: MovingPoint) {
  return moving ? { field: 'model', type: 'nominal', scale: { domain: [...new Set([...series.map((s) => s.model), moving.model])] } } : { field: 'model', type: 'nominal' };
}

/** A layer of one mark at the position of two params: its row is made by the expressions, so a signal moves it. */
function paramPointLayer(p: MovingPoint, names: { x: string; y: string; fx: string; fy: string }, mark: object, filter: string) {
  return {
    data: { values: [{ model: p.model, label: p.label }] },
    transform: [{ calculate: names.x, as: names.fx }, { calculate: names.y, as: names.fy }, { filter }],
    mark,
    encoding: { x: { field: names.fx, type: 'quantitative' }, y: { field: names.fy, type: 'quantitative' }, color: { field: 'model', type: 'nominal' }, tooltip: [{ field: 'label' }, { field: names.fx, format: '.3e' }, { field: names.fy, format: '.4f' }] },
  };
}

/** The dashed threshold rule, placed by the threshold param. */
const thresholdRule = () => ({ data: { values: [{}] }, transform: [{ calculate: CHART_PARAMS.threshold, as: 't' }], mark: { type: 'rule', color: '#222', strokeDash: [4, 3] }, encoding: { x: { field: 't', type: 'quantitative' } } });

export const AXIS_TITLE: Record<ScoreView, string> = {
  similarity: 'cosine similarity (higher = more alike)',
  'cosine-distance': 'cosine distance 1 − s',
  'l2-distance': 'L2 distance √(2 − 2s) of unit vectors',
};

/** Genuine and impostor score histograms overlaid (each normalised to its own total), with the threshold rule (param `threshold`). */
export function distributionSpec(input: { genuine: Histogram; impostor: Histogram; threshold?: number; axis: ScoreView; title?: string }): TopLevelSpec {
  const rows = (h: Histogram, kind: string) => binShares(h).map((b) => ({ kind, ...b }));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.title ?? 'Genuine and impostor score distributions',
    width: 560,
    height: 260,
    ...(input.threshold === undefined ? {} : { params: [{ name: CHART_PARAMS.threshold, value: input.threshold }] }),
    data: { values: [...rows(input.genuine, 'genuine'), ...rows(input.impostor, 'impostor')] },
    layer: [
      {
        mark: { type: 'rect', opacity: 0.55 },
        encoding: {
          // The bins' span, not the data's: the moving threshold rule must not reshape the axis (nor redraw every bin).
          x: { field: 'x0', type: 'quantitative', title: AXIS_TITLE[input.axis], scale: { domain: span(input.genuine, input.impostor) } },
          x2: { field: 'x1' },
          y: { field: 'share', type: 'quantitative', title: 'share of comparisons', stack: null },
          color: { field: 'kind', type: 'nominal', scale: { domain: ['genuine', 'impostor'], range: ['#2a9d8f', '#e76f51'] }, title: null },
          tooltip: [{ field: 'kind' }, { field: 'x0', format: '.3f', title: 'from' }, { field: 'x1', format: '.3f', title: 'to' }, { field: 'count' }],
        },
      },
      ...(input.threshold === undefined ? [] : [thresholdRule()]),
    ],
  };
  return spec as TopLevelSpec;
}

/**
 * The impostor tail near the threshold on a log scale: counts per bin (genuine and impostor) from `threshold - window`
 * up, so the few impostors that decide a small FMR are visible next to the thousands that do not. Empty bins are
 * left out: a log axis has no place for 0. The window follows the threshold param, so a signal moves both.
 */
export function tailSpec(input: { genuine: Histogram; impostor: Histogram; threshold: number; window?: number; title?: string }): TopLevelSpec {
  const window = input.window ?? 0.3;
  const rows = (h: Histogram, kind: string) => binShares(h).filter((b) => b.count > 0).map((b) => ({ kind, x0: b.x0, x1: b.x1, count: b.count }));
  const from = `${CHART_PARAMS.threshold} - ${window}`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.title ?? 'Impostor tail near the threshold (log scale)',
    width: 560,
    height: 200,
    params: [{ name: CHART_PARAMS.threshold, value: input.threshold }],
    layer: [
      {
        data: { values: [...rows(input.impostor, 'impostor'), ...rows(input.genuine, 'genuine')] },
        transform: [{ filter: `datum.x1 > ${from}` }],
        mark: { type: 'rect', opacity: 0.6 },
        encoding: {
          x: { field: 'x0', type: 'quantitative', title: 'cosine similarity', scale: { domainMin: { expr: from } } },
          x2: { field: 'x1' },
          y: { field: 'count', type: 'quantitative', title: 'comparisons per bin (log)', scale: { type: 'log', domainMin: 0.8 }, stack: null },
          color: { field: 'kind', type: 'nominal', scale: { domain: ['genuine', 'impostor'], range: ['#2a9d8f', '#e76f51'] }, title: null },
          tooltip: [{ field: 'kind' }, { field: 'x0', format: '.3f', title: 'from' }, { field: 'x1', format: '.3f', title: 'to' }, { field: 'count' }],
        },
      },
      thresholdRule(),
    ],
  } as TopLevelSpec;
}

export interface CurveSeries {
  model: string;
  /** Parallel arrays: one point per threshold. */
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/**
 * ROC (TAR against FMR, FMR on a log axis) for several models, with optional operating points, and one that moves
 * (x FMR, y TAR) through the params op_fmr and op_tar.
 */
export function rocSpec(series: CurveSeries[], points: Array<{ model: string; fmr: number; tar: number; label: string }> = [], moving?: MovingPoint): TopLevelSpec {
  // The smallest FMR any model reaches (1/N_impostor at best) sets the left edge of the log axis.
  const minFmr = Math.max(1e-9, Math.min(...series.map((s) => minWhere(s.x, (x) => x > 0, Infinity))));
  const values = series.flatMap((s) => zip(s).filter((p) => p.x > 0).map((p) => ({ model: s.model, fmr: p.x, tar: p.y })));
  // A point at FMR 0 has no place on a log axis (as for the curve itself).
  const placed = points.filter((p) => p.fmr > 0);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'ROC: true accept rate against false match rate',
    width: 420,
    height: 320,
    ...(moving ? { params: [{ name: CHART_PARAMS.fmr, value: moving.x }, { name: CHART_PARAMS.tar, value: moving.y }] } : {}),
    layer: [
      {
        data: { values },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: { field: 'fmr', type: 'quantitative', scale: { type: 'log', domain: [minFmr, 1] }, title: 'FMR (log)' },
          // With a moving point the axis is the curve's own span, so moving the point does not rescale (and redraw) the curve.
          y: { field: 'tar', type: 'quantitative', scale: moving ? { domain: [Math.min(...series.map((s) => minWhere(s.y, Number.isFinite, 1))), 1] } : { zero: false }, title: 'TAR = 1 − FNMR' },
          color: modelColor(series, moving),
        },
      },
      ...(placed.length === 0 ? [] : [{
        data: { values: placed },
        mark: { type: 'point', filled: true, size: 70 },
        encoding: { x: { field: 'fmr', type: 'quantitative' }, y: { field: 'tar', type: 'quantitative' }, color: { field: 'model', type: 'nominal' }, tooltip: [{ field: 'label' }, { field: 'fmr', format: '.2e' }, { field: 'tar', format: '.4f' }] },
      }]),
      // FMR 0 has no place on the log axis, as for the fixed points.
      ...(moving ? [paramPointLayer(moving, { x: CHART_PARAMS.fmr, y: CHART_PARAMS.tar, fx: 'fmr', fy: 'tar' }, { type: 'point', filled: true, size: 70 }, 'isValid(datum.fmr) && isValid(datum.tar) && datum.fmr > 0')] : []),
    ],
  } as TopLevelSpec;
}

/**
 * DET: probit(FNMR) against probit(FMR). Axis labels show the rates themselves; points at rate 0 or 1 (±∞ on a
 * probit axis) are left out, as plots cannot place them. `points` mark operating points (given as probits), and
 * `moving` one placed by the params op_pfmr and op_pfnmr.
 */
export function detSpec(series: CurveSeries[], points: Array<{ model: string; px: number; py: number; label: string }> = [], moving?: MovingPoint): TopLevelSpec {
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
    ...(moving ? { params: [{ name: CHART_PARAMS.probitFmr, value: moving.x }, { name: CHART_PARAMS.probitFnmr, value: moving.y }] } : {}),
    layer: [
      { data: { values }, mark: { type: 'line', interpolate: 'step-after' }, encoding: { x, y, color: modelColor(series, moving) } },
      ...(points.length === 0
        ? []
        : [{ data: { values: points }, mark: { type: 'point', filled: true, size: 90, shape: 'diamond' }, encoding: { x: { field: 'px', type: 'quantitative' }, y: { field: 'py', type: 'quantitative' }, color: { field: 'model', type: 'nominal' }, tooltip: [{ field: 'label' }] } }]),
      ...(moving ? [paramPointLayer(moving, { x: CHART_PARAMS.probitFmr, y: CHART_PARAMS.probitFnmr, fx: 'px', fy: 'py' }, { type: 'point', filled: true, size: 90, shape: 'diamond' }, 'isValid(datum.px) && isValid(datum.py) && isFinite(datum.px) && isFinite(datum.py)')] : []),
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

/** From the lowest to the highest bin edge of the histograms. */
function span(...hs: Histogram[]): [number, number] {
  return [Math.min(...hs.map((h) => h.edges[0])), Math.max(...hs.map((h) => h.edges[h.edges.length - 1]))];
}

/** Smallest value `keep` accepts, at most `none` (positive: the left end of a log-scaled rate axis; finite: a TAR axis). */
function minWhere(a: ArrayLike<number>, keep: (x: number) => boolean, none: number): number {
  let m = none;
  for (let i = 0; i < a.length; i++) if (keep(a[i]) && a[i] < m) m = a[i];
  return m;
}

function zip(s: CurveSeries): Array<{ x: number; y: number }> {
  const out = new Array(s.x.length);
  for (let i = 0; i < s.x.length; i++) out[i] = { x: s.x[i], y: s.y[i] };
  return out;
}

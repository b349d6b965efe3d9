import { entryAt, nearestEntry, ratesAtEntry, type TableRates } from '../../../experiments/metrics/rate-table.js';
import { CHART_PARAMS } from '../../../reports/charts.js';
import type { OperatingPoint, RateTableView } from './api.js';

/**
 * The numbers the explorer shows at one threshold, whichever way they came: the server's operating point (a rule,
 * or a threshold off the table's grid) or a lookup in the rate table while dragging. Both carry the same rates,
 * intervals and counts at the same threshold (tests/workbench/server/routes/rate-table.test.ts checks it).
 */
export interface ShownPoint extends TableRates {
  /** The rule in words, or how a hand-set threshold decides. */
  description: string;
}

/** The server's operating point as shown. */
export function pointOfServer(op: OperatingPoint): ShownPoint {
  const c = op.choice;
  return { threshold: c.threshold, description: c.description, fmr: c.fmr, fnmr: c.fnmr, tar: op.tar, falseMatches: c.falseMatches, falseNonMatches: c.falseNonMatches, genuineCount: c.genuineCount, impostorCount: c.impostorCount, det: op.det };
}

/**
 * The point at threshold t from the rate table: a slider position snaps to the nearest grid threshold (`snap`), a
 * typed value must lie on the grid. null when it does not: the server counts such a threshold.
 */
export function pointOfTable(view: RateTableView, t: number, snap: boolean): ShownPoint | null {
  const i = snap ? nearestEntry(view.table, t) : entryAt(view.table, t);
  if (i === null) return null;
  return { ...ratesAtEntry(view.table, i, view.level), description: 'set by hand: accept iff similarity ≥ t' };
}

/**
 * The values of the charts' params (reports/charts.ts CHART_PARAMS) at threshold t with point p shown: the threshold
 * rule, and the operating point on ROC and DET (null while no point is shown, or where a rate of 0 or 1 has no probit).
 */
export function chartSignals(t: number, p: ShownPoint | null): Record<string, number | null> {
  return { [CHART_PARAMS.threshold]: t, [CHART_PARAMS.fmr]: p?.fmr.estimate ?? null, [CHART_PARAMS.tar]: p?.tar.estimate ?? null, [CHART_PARAMS.probitFmr]: p?.det.probitFmr ?? null, [CHART_PARAMS.probitFnmr]: p?.det.probitFnmr ?? null };
}

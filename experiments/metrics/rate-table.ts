/**
 * A cumulative rate table: the counts behind FMR and FNMR (docs/metrics.md, "Verification (1:1)") at every threshold
 * of a fixed grid, k / resolution for consecutive integers k. The threshold explorer receives it once per model and
 * looks the counts up while the threshold is dragged, instead of asking the server at every step: an all-pairs run's
 * 87.5 million impostor scores become two arrays of about two thousand integers. Each count is the exact count at
 * that grid threshold (the same binary searches as errorRatesAt), so every number looked up is exact there.
 */
import { FrwError } from '../../core/errors.js';
import { clopperPearson } from './confidence.js';
import { probit } from './probit.js';
import { countAtLeast, countBelow } from './sorted.js';
import { viewsOf, type ThresholdViews } from './thresholds.js';
import type { Interval, SortedScores } from './types.js';

/** At most this many grid thresholds in one table (a resolution of 10,000 per unit over cosine's [-1, 1]). */
export const RATE_TABLE_MAX_THRESHOLDS = 20_003;

/**
 * Counts at the thresholds `(first + i) / resolution`, i = 0 … length - 1, under "accept iff s >= t": the first
 * threshold accepts every comparison and the last accepts none (where the allowed range reaches that far).
 */
export interface RateTable {
  /** Grid thresholds per unit of score (1000: a step of 0.001). */
  readonly resolution: number;
  /** k of the first threshold, first / resolution. */
  readonly first: number;
  /** #{genuine s < t_i}: the false non-matches at each threshold (non-decreasing). */
  readonly genuineBelow: number[];
  /** #{impostor s >= t_i}: the false matches at each threshold (non-increasing). */
  readonly impostorAtLeast: number[];
  readonly genuineCount: number;
  readonly impostorCount: number;
}

/** Everything the explorer shows at one threshold: the rates with their Clopper-Pearson intervals, counts, DET place. */
export interface TableRates {
  readonly threshold: ThresholdViews;
  readonly fmr: Interval;
  readonly fnmr: Interval;
  readonly tar: Interval;
  readonly falseMatches: number;
  readonly falseNonMatches: number;
  readonly genuineCount: number;
  readonly impostorCount: number;
  /** Probits of FMR and FNMR for the DET chart; null at a rate of 0 or 1 (no place on a probit axis). */
  readonly det: { readonly probitFmr: number | null; readonly probitFnmr: number | null };
}

/**
 * The table of `sorted` on the grid of step 1/resolution: from the last grid threshold at or below the lowest score
 * (everything accepted) to the first above the highest (nothing accepted), cut to [lo, hi], the thresholds the caller
 * accepts at all. BAD_INPUT for a resolution that is not an integer in [1, 1e6] or a grid over the size bound.
 */
export function rateTable(sorted: SortedScores, resolution: number, bounds: { lo: number; hi: number }): RateTable {
  if (!Number.isInteger(resolution) || resolution < 1 || resolution > 1e6) throw new FrwError('BAD_INPUT', `resolution must be an integer in [1, 1000000], got ${resolution}`);
  const { genuine: g, impostor: im } = sorted;
  const low = Math.min(g[0], im[0]);
  const high = Math.max(g[g.length - 1], im[im.length - 1]);
  // Multiplication rounds: step outwards until the grid really brackets the scores, then inwards into the bounds.
  let first = Math.floor(low * resolution);
  while (first / resolution > low) first--;
  let last = Math.floor(high * resolution) + 1;
  while (last / resolution <= high) last++;
  while (first / resolution < bounds.lo) first++;
  while (last / resolution > bounds.hi) last--;
  const length = last - first + 1;
  if (length > RATE_TABLE_MAX_THRESHOLDS) {
    throw new FrwError('BAD_INPUT', `scores from ${low} to ${high} at resolution ${resolution} make ${length} thresholds, more than ${RATE_TABLE_MAX_THRESHOLDS}; ask for a lower resolution`, { field: 'resolution', thresholds: length });
  }
  const genuineBelow = new Array<number>(length);
  const impostorAtLeast = new Array<number>(length);
  for (let i = 0; i < length; i++) {
    const t = (first + i) / resolution;
    genuineBelow[i] = countBelow(g, t);
    impostorAtLeast[i] = countAtLeast(im, t);
  }
  return { resolution, first, genuineBelow, impostorAtLeast, genuineCount: g.length, impostorCount: im.length };
}

/** The similarity threshold of entry i: (first + i) / resolution, the same double on the server and in the browser. */
export function tableThreshold(table: RateTable, i: number): number {
  return (table.first + i) / table.resolution;
}

/** The entry nearest to threshold t, clamped to the table's ends (where a slider snaps to). */
export function nearestEntry(table: RateTable, t: number): number {
  const i = Math.round(t * table.resolution) - table.first;
  return Math.min(table.genuineBelow.length - 1, Math.max(0, Number.isFinite(i) ? i : 0));
}

/** The entry whose threshold is exactly t, or null when t is not on the table's grid (the server must count it). */
export function entryAt(table: RateTable, t: number): number | null {
  const i = nearestEntry(table, t);
  return tableThreshold(table, i) === t ? i : null;
}

/**
 * The rates at entry i, with the same intervals as chooseThreshold at a fixed threshold and the operating-point
 * route (Clopper-Pearson, two-sided, at `level`): FMR, FNMR and TAR = (N_g - FNM) / N_g.
 */
export function ratesAtEntry(table: RateTable, i: number, level: number): TableRates {
  if (!Number.isInteger(i) || i < 0 || i >= table.genuineBelow.length) throw new FrwError('BAD_INPUT', `entry ${i} is not in the table (0 … ${table.genuineBelow.length - 1})`);
  const falseMatches = table.impostorAtLeast[i];
  const falseNonMatches = table.genuineBelow[i];
  const fmr = clopperPearson(falseMatches, table.impostorCount, level);
  const fnmr = clopperPearson(falseNonMatches, table.genuineCount, level);
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    threshold: viewsOf(tableThreshold(table, i)),
    fmr,
    fnmr,
    tar: clopperPearson(table.genuineCount - falseNonMatches, table.genuineCount, level),
    falseMatches,
    falseNonMatches,
    genuineCount: table.genuineCount,
    impostorCount: table.impostorCount,
    det: { probitFmr: finite(probit(fmr.estimate)), probitFnmr: finite(probit(fnmr.estimate)) },
  };
}

/**
 * How numbers are written for people (the workbench, notebooks): every rate with its unit, every estimate with
 * its interval. Formatting only; the numbers come from the metric functions.
 */
import type { Interval } from '../experiments/metrics/index.js';

/** A rate as a percentage: two decimals from 1% up (99.43%), three significant digits below (0.0333%). */
export function pct(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const p = 100 * x;
  if (p === 0) return '0%';
  return p >= 1 ? `${p.toFixed(2)}%` : `${Number(p.toPrecision(3))}%`;
}

/** A small rate in scientific notation (FMR targets: 1e-3). */
export function sci(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return '–';
  const [m, e] = x.toExponential(2).split('e');
  return `${Number(m)}e${Number(e)}`;
}

/** "[lower, upper] 95% Clopper-Pearson" in the given number style. */
export function intervalText(i: Pick<Interval, 'lower' | 'upper' | 'level' | 'method'> | null | undefined, f: (x: number) => string = pct): string {
  if (!i) return 'no interval';
  return `[${f(i.lower)}, ${f(i.upper)}] ${Math.round(i.level * 100)}% ${i.method}`;
}

export function bytes(n: number | null): string {
  if (n === null) return 'file missing';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

export function count(n: number): string {
  return n.toLocaleString('en');
}

/** A ratio >= 1 such as a group differential ("1.32×"); ∞ when unbounded (a group with no error against one with some). */
export function ratio(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(2)}×` : '∞';
}

/**
 * How the workbench writes numbers: every rate with its unit, every estimate with its interval. Formatting only;
 * the numbers themselves come from the server's metric functions.
 */
import type { Interval } from '../../../experiments/metrics/index.js';

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

/** An estimate and its interval in one string. */
export function withInterval(i: Interval | null | undefined, f: (x: number) => string = pct): string {
  return i ? `${f(i.estimate)} ${intervalText(i, f)}` : '–';
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

export function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * The slider range of the threshold: the span of bins that hold any score (either class), widened by a bin so the
 * extremes can be passed. Falls back to the full cosine range.
 */
export function scoreRange(hists: Array<{ edges: number[]; counts: number[] }>): { min: number; max: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const h of hists) {
    h.counts.forEach((c, i) => {
      if (c > 0) {
        lo = Math.min(lo, h.edges[Math.max(0, i - 1)]);
        hi = Math.max(hi, h.edges[Math.min(h.edges.length - 1, i + 2)]);
      }
    });
  }
  return Number.isFinite(lo) && Number.isFinite(hi) ? { min: lo, max: hi } : { min: -1, max: 1 };
}

/** curves.json writes ±Infinity as strings: keep only finite numbers, index-aligned with NaN elsewhere. */
export function finiteNumbers(a: Array<number | string>): number[] {
  return a.map((v) => (typeof v === 'number' ? v : Number.NaN));
}

/** Browser-side helpers for showing results (rates and intervals are written by reports/format.ts). */

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

/** A job's elapsed time: 42 s, 3 min 05 s, 1 h 02 min. */
export function elapsed(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

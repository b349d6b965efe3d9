import { probit, type SortedScores } from './metrics/index.js';
import { forEachCandidate } from './metrics/sorted.js';

/**
 * ROC/DET points for charts: exact points of the step curve (metrics' candidate thresholds), but only where FMR
 * or FNMR enters a new log-spaced bucket, so 87 million impostor scores give a few thousand points while the
 * low-FMR and low-FNMR tails keep their detail. Built in one pass, without the full curve in memory.
 */
export interface CurvePoints {
  threshold: Float64Array;
  fmr: Float64Array;
  fnmr: Float64Array;
  tar: Float64Array;
  probitFmr: Float64Array;
  probitFnmr: Float64Array;
}

export function chartCurve(sorted: SortedScores, pointsPerDecade = 60): CurvePoints {
  const ng = sorted.genuine.length;
  const ni = sorted.impostor.length;
  const bucket = (x: number) => (x > 0 ? Math.floor(Math.log10(x) * pointsPerDecade) : -Infinity);
  const kept: Array<{ t: number; g: number; i: number }> = [];
  let lastF = NaN;
  let lastR = NaN;
  let pending: { t: number; g: number; i: number } | null = null;
  forEachCandidate(sorted, (t, g, i) => {
    const bf = bucket(i / ni);
    const br = bucket((ng - g) / ng);
    if (bf !== lastF || br !== lastR) {
      // Keep the last point of the previous bucket too, so the steps keep their corners.
      if (pending) kept.push(pending);
      kept.push({ t, g, i });
      pending = null;
      lastF = bf;
      lastR = br;
    } else pending = { t, g, i };
  });
  if (pending) kept.push(pending);
  const fmr = Float64Array.from(kept, (p) => p.i / ni);
  const fnmr = Float64Array.from(kept, (p) => (ng - p.g) / ng);
  return {
    threshold: Float64Array.from(kept, (p) => p.t),
    fmr,
    fnmr,
    tar: Float64Array.from(kept, (p) => p.g / ng),
    probitFmr: fmr.map(probit),
    probitFnmr: fnmr.map(probit),
  };
}

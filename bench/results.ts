import fs from 'node:fs';

/**
 * One measured figure of a benchmark beside its peer, measured in the same run (the machine is noisy, so only
 * ratios within one run mean anything). `ratio` is always "how many times better ours is": peer/ours for figures
 * where lower is better (seconds), ours/peer where higher is better (queries/s); 1.0 = level.
 */
export interface BenchFigure {
  bench: string;
  name: string;
  unit: string;
  ours: number;
  /** The peer's figure and what the peer is (numpy, python3-faiss, the bare runtime, one worker, a fixed target…). */
  peer: number | null;
  peerName: string;
  better: 'lower' | 'higher';
  ratio: number | null;
  /** The issue's target for `ratio` (or for `ours` where the target is absolute, as a limit), and whether it holds. */
  target: { kind: 'ratio' | 'at-most' | 'at-least'; value: number; met: boolean } | null;
  note?: string;
}

export type FigureInput = Omit<BenchFigure, 'ratio' | 'target'> & { target?: { kind: 'ratio' | 'at-most' | 'at-least'; value: number } };

/** The ratio and the target's verdict of a figure (pure, for tests and the README table). */
export function figure(f: FigureInput): BenchFigure {
  const ratio = f.peer === null || f.peer === 0 || f.ours === 0 ? null : f.better === 'lower' ? f.peer / f.ours : f.ours / f.peer;
  const t = f.target;
  const met = !t ? null : t.kind === 'ratio' ? ratio !== null && ratio >= t.value : t.kind === 'at-most' ? f.ours <= t.value : f.ours >= t.value;
  return { ...f, ratio, target: t ? { ...t, met: met === true } : null };
}

/**
 * Record figures: printed as one line each, and appended as JSON lines to $FRW_BENCH_RESULTS when set (what
 * `npm run bench` (bench/run-all.ts) collects into bench/results.json). A bench run by hand just prints.
 */
export function record(figures: FigureInput[]): BenchFigure[] {
  const done = figures.map(figure);
  for (const f of done) {
    const r = f.ratio === null ? '' : ` · ${f.ratio.toFixed(2)}× ${f.peerName}`;
    const t = f.target ? ` · target ${f.target.kind === 'ratio' ? `≥ ${f.target.value}×` : `${f.target.kind === 'at-most' ? '≤' : '≥'} ${f.target.value} ${f.unit}`}: ${f.target.met ? 'met' : 'NOT met'}` : '';
    console.log(`[figure] ${f.bench} · ${f.name}: ${fmt(f.ours)} ${f.unit}${f.peer === null ? '' : ` (peer ${fmt(f.peer)})`}${r}${t}`);
  }
  const file = process.env.FRW_BENCH_RESULTS;
  if (file) fs.appendFileSync(file, done.map((f) => JSON.stringify(f) + '\n').join(''));
  return done;
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3));

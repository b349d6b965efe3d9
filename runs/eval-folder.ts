import path from 'node:path';
import { writeFileAtomic } from '../core/lock.js';
import type { DatasetManifest } from '../datasets/manifest.js';
import type { SortedScores } from '../experiments/metrics/index.js';
import type { EvaluationOptions, ModelCurves, ModelMetrics } from '../experiments/evaluate.js';
import type { ComparisonSet, ProtocolName } from '../experiments/protocols.js';
import type { ScoredComparisons } from '../experiments/scoring.js';
import type { EmbedSummary } from '../pipeline/embed-dataset.js';
import type { DecisionsRecord } from '../experiments/audit/decisions.js';
import type { PipelineSettings } from '../pipeline/spec.js';
import type { PairListRecord } from './comparisons.js';
import { writeCsvFile, writeJsonFile } from './format.js';
import { prepareRunFolder } from './read.js';

/** What `run.json` records: enough to reproduce the run and to tell whether two runs are comparable. */
export interface RunRecord {
  tool: { name: 'fr-workbench'; version: string };
  createdAt: string;
  dataset: { name: string; kind: string; root: string; manifestHash: string; images: number; identities: number };
  protocol: ProtocolName;
  seed: number;
  impostorSampling: ComparisonSet['impostorSampling'];
  comparisons: { total: number; genuine: number; impostor: number };
  models: Array<{ id: string; sha256: string; pipelineKey: string; detector: string; detectorSha256: string | null; flip: boolean; policy: string; settings: PipelineSettings; embed: EmbedSummary }>;
  evaluation: EvaluationOptions;
  /** sha256 over everything above except createdAt: equal specs on equal data give equal ids. */
  specHash: string;
  /** Which comparisons were scored (comparisons.ts); absent in runs written before frw recorded it. */
  pairList?: PairListRecord;
  /**
   * The audit decisions file applied to the dataset before scoring (its path, the sha256 of its bytes, what it
   * excluded and merged); absent when none was. The manifest hash above is that of the data after them.
   */
  decisions?: DecisionsRecord;
}

export interface EvalRunResult {
  record: RunRecord;
  /** null for the full all-pairs protocol, whose pairs are streamed, never listed. */
  set: ComparisonSet | null;
  metrics: ModelMetrics[];
  /** `scored` is null for streamed all-pairs: those scores went to `spill` and were dropped to bound memory. */
  perModel: Array<{ model: string; scored: ScoredComparisons | null; curves: ModelCurves }>;
}

/** Up to this many pairs, scores go to scores.csv (readable, exact); above, to float32 binaries. */
const CSV_PAIRS_MAX = 200_000;

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Streamed all-pairs scores by kind, float32 little-endian, ascending: no pair order survives (none is kept). */
export function spillScores(outDir: string, model: string, s: SortedScores): void {
  writeFileAtomic(path.join(outDir, `genuine-${model}.f32`), float32Chunks(s.genuine));
  writeFileAtomic(path.join(outDir, `impostor-${model}.f32`), float32Chunks(s.impostor));
}

/** Float64 scores that came from float32 (exact), as float32 bytes, a million at a time: no whole float32 copy. */
function* float32Chunks(a: Float64Array, size = 1 << 20): Generator<Uint8Array> {
  const buf = new Float32Array(Math.min(size, a.length));
  for (let o = 0; o < a.length; o += size) {
    const n = Math.min(size, a.length - o);
    buf.set(a.subarray(o, o + n));
    yield bytesOf(buf.subarray(0, n));
  }
}

/**
 * Write an evaluation run folder: metrics.json, curves.json, pairs + scores (scores.csv, or float32 binaries for
 * large sets), the `extra` files (report.html), and run.json last. Files are written atomically.
 */
export function writeRunFolder(outDir: string, result: EvalRunResult, manifest: DatasetManifest, extra: Record<string, string> = {}): void {
  prepareRunFolder(outDir);
  writeJsonFile(path.join(outDir, 'metrics.json'), { protocol: result.record.protocol, comparisons: result.record.comparisons, models: Object.fromEntries(result.metrics.map((m) => [m.model, m])) });
  // The chart points and histograms, so the workbench draws a past run without rescoring it.
  const curves = Object.fromEntries(result.perModel.map((p) => [p.model, { chart: Object.fromEntries(Object.entries(p.curves.chart).map(([k, v]) => [k, Array.from(v as Float64Array)])), histograms: p.curves.histograms }]));
  writeJsonFile(path.join(outDir, 'curves.json'), { models: curves }, false);
  const { set } = result;
  // Streamed all-pairs (set null) spilled its scores during the run (spillScores).
  if (set && set.same.length <= CSV_PAIRS_MAX) {
    const header = ['image_a', 'image_b', 'same', ...(set.fold ? ['fold'] : []), ...result.perModel.map((p) => `score_${p.model}`)];
    const rows = Array.from({ length: set.same.length }, (_, k) => [
      manifest.images[set.a[k]].path,
      manifest.images[set.b[k]].path,
      set.same[k],
      ...(set.fold ? [set.fold[k]] : []),
      // Exact: the float32 score widened, so a reader rebuilds the same metrics; a failure to acquire is "fta".
      ...result.perModel.map((p) => (Number.isNaN(p.scored!.score[k]) ? 'fta' : p.scored!.score[k])),
    ]);
    writeCsvFile(path.join(outDir, 'scores.csv'), header, rows);
  } else if (set) {
    const pairs = new Int32Array(set.same.length * 2);
    for (let k = 0; k < set.same.length; k++) {
      pairs[2 * k] = set.a[k];
      pairs[2 * k + 1] = set.b[k];
    }
    writeFileAtomic(path.join(outDir, 'pairs.i32'), bytesOf(pairs));
    writeFileAtomic(path.join(outDir, 'same.u8'), set.same);
    for (const p of result.perModel) writeFileAtomic(path.join(outDir, `scores-${p.model}.f32`), bytesOf(p.scored!.score));
  }
  for (const [name, content] of Object.entries(extra)) writeFileAtomic(path.join(outDir, name), content);
  // Last: run.json is what marks the folder as a run (runs/read.ts), so a folder cut short by a crash is not one.
  writeJsonFile(path.join(outDir, 'run.json'), result.record);
}

import fs from 'node:fs';
import path from 'node:path';
import { FrwError } from '../core/errors.js';
import { parseCsv } from '../datasets/csv.js';
import { sortScores, type SortedScores } from '../experiments/metrics/index.js';
import { errorOrder, type ErrorOrder, type LabelledPairs } from '../experiments/worst-pairs.js';

/** One model's scores from an evaluation run folder, sorted for the metrics, with pair names when the run kept them. */
export interface RunScores {
  model: string;
  sorted: SortedScores;
  /** null for streamed all-pairs, whose pair order is only implied (no names to show). */
  pairs: LabelledPairs | null;
  order: ErrorOrder | null;
  /** Why `pairs` is null. */
  pairsUnavailable: string | null;
}

/** A file's bytes as its own ArrayBuffer (a small read may sit inside Node's shared buffer pool). */
const own = (file: string) => {
  const b = fs.readFileSync(file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};
const f32 = (file: string) => new Float32Array(own(file));

/** One model's comparisons as the run scored them, in scoring order: NaN for a failure to acquire, folds when listed. */
export interface RunPairs extends LabelledPairs {
  /** 0-based fold per comparison (lfw-10fold runs' scores.csv), else null. */
  fold: Int8Array | null;
}

/**
 * Read one model's scores back from a run folder written by writeRunFolder: `scores.csv` (≤ 200k pairs), the
 * binary `pairs.i32` + `same.u8` + `scores-<model>.f32` (named through `imagePaths`, the manifest's paths, when
 * given), or streamed all-pairs' `genuine-<model>.f32` + `impostor-<model>.f32`. Failed pairs (fta) are left out.
 */
export function readRunScores(runDir: string, model: string, imagePaths?: readonly string[]): RunScores {
  const pairs = readRunPairs(runDir, model, imagePaths);
  if (pairs) return withPairs(model, pairs);
  const g = path.join(runDir, `genuine-${model}.f32`);
  const i = path.join(runDir, `impostor-${model}.f32`);
  if (fs.existsSync(g) && fs.existsSync(i)) {
    return { model, sorted: sortScores(f32(g), f32(i)), pairs: null, order: null, pairsUnavailable: STREAMED };
  }
  throw new FrwError('NOT_FOUND', `no scores for model "${model}" in ${runDir}`);
}

const STREAMED = 'streamed all-pairs runs keep the scores, not the pairs; rerun with an impostor sample to see the worst pairs';

/**
 * One model's comparisons, pair by pair in scoring order (every model of a run shares the order), from scores.csv or
 * the binary pair files; null for streamed all-pairs, which keeps sorted scores and no pairs.
 */
export function readRunPairs(runDir: string, model: string, imagePaths?: readonly string[]): RunPairs | null {
  const csvFile = path.join(runDir, 'scores.csv');
  if (fs.existsSync(csvFile)) {
    const rows = parseCsv(fs.readFileSync(csvFile, 'utf8'));
    const header = rows[0]?.fields ?? [];
    const col = header.indexOf(`score_${model}`);
    if (col < 0) throw new FrwError('NOT_FOUND', `model "${model}" is not in this run; it has ${header.filter((h) => h.startsWith('score_')).map((h) => h.slice(6)).join(', ')}`);
    const [ia, ib, is, fo] = ['image_a', 'image_b', 'same', 'fold'].map((h) => header.indexOf(h));
    const body = rows.slice(1).filter((r) => r.fields.length === header.length);
    return {
      score: Float64Array.from(body, (r) => (r.fields[col] === 'fta' ? Number.NaN : Number(r.fields[col]))),
      same: Uint8Array.from(body, (r) => (r.fields[is] === '1' ? 1 : 0)),
      a: body.map((r) => r.fields[ia]),
      b: body.map((r) => r.fields[ib]),
      fold: fo < 0 ? null : Int8Array.from(body, (r) => Number(r.fields[fo])),
    };
  }
  const scoresFile = path.join(runDir, `scores-${model}.f32`);
  if (fs.existsSync(scoresFile)) {
    const idx = new Int32Array(own(path.join(runDir, 'pairs.i32')));
    const same = new Uint8Array(own(path.join(runDir, 'same.u8')));
    const score = Float64Array.from(f32(scoresFile));
    const name = (i: number) => imagePaths?.[i] ?? `#${i}`;
    const n = same.length;
    if (score.length !== n || idx.length !== 2 * n) throw new FrwError('INTEGRITY', `${runDir}: pairs, labels and scores differ in length`);
    return { score, same, a: Array.from({ length: n }, (_, k) => name(idx[2 * k])), b: Array.from({ length: n }, (_, k) => name(idx[2 * k + 1])), fold: null };
  }
  if (fs.existsSync(path.join(runDir, `genuine-${model}.f32`))) return null;
  throw new FrwError('NOT_FOUND', `no scores for model "${model}" in ${runDir}`);
}

function withPairs(model: string, { fold: _fold, ...pairs }: RunPairs): RunScores {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let k = 0; k < pairs.score.length; k++) {
    if (Number.isNaN(pairs.score[k])) continue;
    (pairs.same[k] ? genuine : impostor).push(pairs.score[k]);
  }
  return { model, sorted: sortScores(genuine, impostor), pairs, order: errorOrder(pairs), pairsUnavailable: null };
}

import fs from 'node:fs';
import path from 'node:path';
import { FrwError } from '../core/errors.js';
import type { ModeResult } from '../experiments/identification/evaluate.js';
import type { ModelMetrics } from '../experiments/evaluate.js';
import type { RunRecord } from './eval-folder.js';
import type { IdentificationRecord } from './identification-folder.js';
import { reviveNumbers } from './format.js';

/**
 * Reading run folders back: the one place that knows which file says what kind of run a folder holds, and what
 * the records look like. Writers are eval-folder.ts and identification-folder.ts beside this file.
 */
export const RUN_KINDS = ['eval', 'identify'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

const RECORD_FILE: Record<RunKind, string> = { eval: 'run.json', identify: 'identification.json' };

/** The kind of run `dir` holds, or null (not a run folder, or one still being written). */
export function runKindOf(dir: string): RunKind | null {
  for (const kind of RUN_KINDS) if (fs.existsSync(path.join(dir, RECORD_FILE[kind]))) return kind;
  return null;
}

/** Refuse a folder that already holds a run (rather than mixing two), and create it. */
export function prepareRunFolder(outDir: string): void {
  if (runKindOf(outDir)) throw new FrwError('CONFLICT', `${outDir} already holds a run; choose another --out`);
  fs.mkdirSync(outDir, { recursive: true });
}

/**
 * A JSON file of a run folder, null when absent; a file that is not JSON (edited by hand, a disk fault) is
 * BAD_INPUT naming it. `typed`: non-finite numbers written as strings (format.ts) are read back as numbers, as the
 * record types say; without it the file is returned as written (served to the browser as it is).
 */
export function readRunJson<T = unknown>(dir: string, name: string, typed = false): T | null {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) return null;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'), typed ? reviveNumbers : undefined) as T;
  } catch (e) {
    throw new FrwError('BAD_INPUT', `${path.basename(dir)}/${name} is not valid JSON: ${(e as Error).message}`);
  }
}

export type IdentificationFile = IdentificationRecord & { results: ModeResult[] };
export interface MetricsFile {
  protocol: string;
  comparisons: RunRecord['comparisons'];
  models: Record<string, ModelMetrics>;
}

export type RunFolder =
  | { kind: 'eval'; dir: string; record: RunRecord; metrics: MetricsFile | null }
  | { kind: 'identify'; dir: string; record: IdentificationFile };

/** A run's id: its folder's name (what `frw compare` and the workbench label its models with). */
export const runFolderId = (r: RunFolder): string => path.basename(r.dir);

/** The run a folder holds, with its record (and an evaluation's metrics); NOT_FOUND when it holds none. */
export function readRunFolder(dir: string): RunFolder {
  const kind = runKindOf(dir);
  if (!kind) throw new FrwError('NOT_FOUND', `${dir} is not a run folder (no run.json or identification.json)`);
  if (kind === 'identify') return { kind, dir, record: readRunJson<IdentificationFile>(dir, RECORD_FILE.identify, true)! };
  return { kind, dir, record: readRunJson<RunRecord>(dir, RECORD_FILE.eval, true)!, metrics: readRunJson<MetricsFile>(dir, 'metrics.json', true) };
}

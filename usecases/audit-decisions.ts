import fs from 'node:fs';
import path from 'node:path';
import { workspacePaths, type FrwConfig } from '../core/config.js';
import { FrwError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import { acquireLock, writeFileAtomic } from '../core/lock.js';
import type { DatasetManifest } from '../datasets/manifest.js';
import { applyDecisions, checkDecision, parseDecisions, withDecision, type Decision, type DecisionsFile, type DecisionsRecord } from '../experiments/audit/decisions.js';

/**
 * The decisions file of a dataset: `<workspace>/audit/<dataset>/decisions.json`, beside the workspace's caches and
 * runs, never inside the dataset (whose files are read-only input). Runs apply a decisions file only when given it
 * (`--decisions <file>`): a run's data is then what its command line and run.json say, not whatever the workspace
 * held that day.
 */
export function decisionsPath(cfg: Pick<FrwConfig, 'workspace'>, dataset: string): string {
  // A dataset opened by path is named after its folder; anything unsafe in a file name becomes "_", and a name of
  // dots only (".", "..") would climb out of the audit folder.
  const safe = dataset.replace(/[^A-Za-z0-9._-]/g, '_');
  return path.join(workspacePaths(cfg).audit, /^\.*$/.test(safe) ? safe.replace(/\./g, '_') || '_' : safe, 'decisions.json');
}

/** A decisions file read and checked, with the sha256 of its bytes (what a run records). */
export function readDecisionsFile(file: string): { content: DecisionsFile; sha256: string } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new FrwError('NOT_FOUND', `decisions file ${file} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new FrwError('BAD_INPUT', `decisions file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return { content: parseDecisions(json, file), sha256: sha256Hex(bytes) };
}

/**
 * Record decisions (each replacing an earlier one on the same target): under the file's lock, read, add, and write
 * atomically, so two `frw audit decide` at once never lose one another's decisions and a crash leaves the old file
 * or the new, never half of one.
 */
export function recordDecisions(file: string, dataset: string, decisions: ReadonlyArray<Omit<Decision, 'decidedAt'> & { decidedAt?: string }>): { content: DecisionsFile; sha256: string } {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const release = acquireLock(`${file}.lock`, `decisions file ${file}`);
  try {
    let content: DecisionsFile = fs.existsSync(file) ? readDecisionsFile(file).content : { format: 'frw-audit-decisions', version: 1, dataset, decisions: [] };
    if (content.dataset !== dataset) throw new FrwError('CONFLICT', `${file} holds decisions for ${content.dataset}, not ${dataset}`);
    const now = new Date().toISOString();
    for (const d of decisions) content = withDecision(content, checkDecision({ ...d, decidedAt: d.decidedAt ?? now }));
    const text = JSON.stringify(content, null, 2) + '\n';
    writeFileAtomic(file, text);
    return { content, sha256: sha256Hex(text) };
  } finally {
    release();
  }
}

/** A manifest with a decisions file applied, and what run.json records of it. */
export function manifestWithDecisions(manifest: DatasetManifest, file: string): { manifest: DatasetManifest; record: DecisionsRecord } {
  const { content, sha256 } = readDecisionsFile(file);
  const r = applyDecisions(manifest, content);
  return { manifest: r.manifest, record: { file: path.resolve(file), sha256, applied: r.applied } };
}

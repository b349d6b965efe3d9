import fs from 'node:fs';
import path from 'node:path';
import { FrwError } from '../core/errors.js';
import { writeFileAtomic } from '../core/lock.js';
import type { AuditFindings, FlagKind } from '../experiments/audit/audit.js';
import type { AppliedDecisions, Decision } from '../experiments/audit/decisions.js';
import type { ModelMetrics } from '../experiments/evaluate.js';
import type { ProtocolName } from '../experiments/protocols.js';
import type { EmbedSummary } from '../pipeline/embed-dataset.js';
import type { PipelineSettings } from '../pipeline/spec.js';
import { readRunJson } from './read.js';
import { writeJsonFile } from './format.js';

/** One side of the audit's before/after comparison: an ordinary evaluation run folder, and its headline numbers. */
export interface AuditEffectRun {
  /** The run folder (run.json, metrics.json, report.html), as `frw eval` writes it. */
  run: string;
  manifestHash: string;
  images: number;
  identities: number;
  metrics: Pick<ModelMetrics, 'counts' | 'auc' | 'eer' | 'tenFold' | 'tarAtFmr'>;
}

/** The same protocol on the data as it is and with every flag of the chosen kinds acted on. */
export interface AuditEffect {
  protocol: ProtocolName;
  /** Which findings the "after" run acts on. */
  apply: FlagKind[];
  /** The decisions file the "after" run applied (in the audit folder), with its sha256 as run.json records it. */
  suggestedFile: string;
  suggestedSha256: string;
  applied: AppliedDecisions;
  before: AuditEffectRun;
  /** null when the data left after the decisions cannot run the protocol (`afterError` says why). */
  after: AuditEffectRun | null;
  afterError: string | null;
}

/** audit.json: what was audited with what, what was found, the user's decisions so far, and the effect on the numbers. */
export interface AuditRecord {
  tool: { name: 'fr-workbench'; version: string };
  createdAt: string;
  dataset: { name: string; kind: string; root: string; manifestHash: string; images: number; identities: number };
  model: { id: string; sha256: string; pipelineKey: string; detector: string; settings: PipelineSettings; embed: EmbedSummary };
  /** The search index the neighbour searches used (exact or FAISS flat give the same neighbours). */
  index: string;
  findings: AuditFindings;
  /** The dataset's decisions file when one exists (frw audit decide), so the report marks what is decided. */
  userDecisions: { file: string; sha256: string; decisions: Decision[] } | null;
  effect: AuditEffect | null;
}

export const AUDIT_FILE = 'audit.json';

/** Refuse a folder that already holds an audit (rather than mixing two), and create it. */
export function prepareAuditFolder(out: string): void {
  if (fs.existsSync(path.join(out, AUDIT_FILE))) throw new FrwError('CONFLICT', `${out} already holds an audit; choose another --out`);
  fs.mkdirSync(out, { recursive: true });
}

/** The report first, audit.json last: audit.json is what marks the folder as a finished audit. */
export function writeAuditFolder(out: string, record: AuditRecord, reportHtml: string): void {
  writeFileAtomic(path.join(out, 'report.html'), reportHtml);
  writeJsonFile(path.join(out, AUDIT_FILE), record);
}

export function readAuditFolder(out: string): AuditRecord {
  const r = readRunJson<AuditRecord>(out, AUDIT_FILE, true);
  if (!r) throw new FrwError('NOT_FOUND', `${out} holds no ${AUDIT_FILE}`);
  return r;
}

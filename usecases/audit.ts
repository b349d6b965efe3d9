import fs from 'node:fs';
import path from 'node:path';
import type { FrwConfig } from '../core/config.js';
import { FrwError, isFrwError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import { writeFileAtomic } from '../core/lock.js';
import { TOOL_VERSION } from '../core/version.js';
import { namesIdentities, type DatasetManifest } from '../datasets/manifest.js';
import { auditDataset, suggestedDecisions, type AuditOptions, type FlagKind } from '../experiments/audit/audit.js';
import { applyDecisions, type DecisionsFile } from '../experiments/audit/decisions.js';
import type { EvaluationOptions } from '../experiments/evaluate.js';
import type { ProtocolName } from '../experiments/protocols.js';
import { embedForRun } from '../pipeline/embed-dataset.js';
import { loadEmbeddingTable } from '../pipeline/embedding-table.js';
import { loadFaceGeometry } from '../pipeline/face-geometry.js';
import { pipelineKey, pipelineSettings, type PipelineSpec } from '../pipeline/spec.js';
import { auditReportHtml, reportImagePaths } from '../reports/audit-report.js';
import { prepareAuditFolder, writeAuditFolder, type AuditEffect, type AuditEffectRun, type AuditRecord } from '../runs/audit-folder.js';
import { createIndexFactory, type IndexKind } from '../search/indexes.js';
import { decisionsPath, readDecisionsFile } from './audit-decisions.js';
import { auditThumbnails } from './audit-thumbnails.js';
import { embeddingDeps, type RunHooks } from './deps.js';
import { evaluateToFolder, type EvaluateOutcome } from './evaluate.js';

export interface AuditRequest {
  manifest: DatasetManifest;
  pipeline: PipelineSpec;
  options: AuditOptions;
  index: IndexKind;
  /** The before/after comparison; null to audit only. */
  effect: { protocol: ProtocolName; apply: FlagKind[]; seed: number; impostorSample?: number; evaluation: EvaluationOptions } | null;
  /** The audit folder: audit.json, report.html, suggested-decisions.json, before/ and after/ run folders. */
  out: string;
  /** The user's decisions to mark in the report; default the dataset's decisions file in the workspace, if any. */
  decisionsFile?: string;
}

export interface AuditOutcome {
  out: string;
  record: AuditRecord;
}

/**
 * `frw audit`: the model's embeddings from the embedding cache (computed where missing, as `frw eval` would, so an
 * audit after an eval costs no embedding), the findings, then the same protocol `frw eval` runs on the data as it
 * is and with the flags acted on, each an ordinary run folder; the report and audit.json last.
 */
export async function auditToFolder(cfg: FrwConfig, req: AuditRequest, hooks: RunHooks = {}): Promise<AuditOutcome> {
  const { manifest, pipeline } = req;
  if (!namesIdentities(manifest)) throw new FrwError('BAD_INPUT', `dataset ${manifest.name} is a pair-only set: it names no identities, so there are no labels to audit`);
  const out = path.resolve(req.out);
  prepareAuditFolder(out);
  const embed = await embedForRun(manifest, pipeline, embeddingDeps(cfg, hooks));
  const dim = pipeline.embedder.output.dim;
  const table = loadEmbeddingTable(manifest, embed.cacheDir, dim);
  const geometry = loadFaceGeometry(manifest, embed.cacheDir);
  hooks.onStage?.(`auditing ${manifest.name} (${manifest.images.length.toLocaleString('en')} images) with ${pipeline.embedder.id}`);
  const findings = await auditDataset({ manifest, dim, vectors: table.vectors, ok: table.ok, failure: table.failure, failureMessage: geometry.failureMessage, quality: table.quality, landmarks: geometry.landmarks }, req.options, await createIndexFactory(req.index));

  const userFile = req.decisionsFile ?? decisionsPath(cfg, manifest.name);
  const user = req.decisionsFile !== undefined || fs.existsSync(userFile) ? readDecisionsFile(userFile) : null;
  const effect = req.effect ? await effectOnNumbers(cfg, req, findings, out, hooks) : null;

  const record: AuditRecord = {
    tool: { name: 'fr-workbench', version: TOOL_VERSION },
    createdAt: new Date().toISOString(),
    dataset: { name: manifest.name, kind: manifest.kind, root: manifest.root, manifestHash: manifest.hash, images: manifest.images.length, identities: manifest.identities.length },
    model: { id: pipeline.embedder.id, sha256: pipeline.embedder.sha256, pipelineKey: pipelineKey(pipeline), detector: pipeline.detector?.id ?? 'pre-aligned', settings: pipelineSettings(pipeline), embed },
    index: req.index,
    findings,
    userDecisions: user && { file: path.resolve(userFile), sha256: user.sha256, decisions: user.content.decisions },
    effect,
  };
  hooks.onStage?.('writing the audit report');
  const thumbs = await auditThumbnails(manifest, embed.cacheDir, pipeline, reportImagePaths(record));
  writeAuditFolder(out, record, auditReportHtml(record, thumbs));
  return { out, record };
}

function effectRun(o: EvaluateOutcome): AuditEffectRun {
  const m = o.result.metrics[0];
  const d = o.result.record.dataset;
  return { run: o.out, manifestHash: d.manifestHash, images: d.images, identities: d.identities, metrics: { counts: m.counts, auc: m.auc, eer: m.eer, tenFold: m.tenFold, tarAtFmr: m.tarAtFmr } };
}

/**
 * Before and after: `frw eval`'s own use case on the manifest as it is, then on the manifest with the suggested
 * decisions applied (written beside the runs, so `frw eval --decisions <that file>` reproduces the second).
 */
async function effectOnNumbers(cfg: FrwConfig, req: AuditRequest, findings: AuditRecord['findings'], out: string, hooks: RunHooks): Promise<AuditEffect> {
  const e = req.effect!;
  const spec = { protocol: e.protocol, pipelines: [req.pipeline], seed: e.seed, impostorSample: e.impostorSample, evaluation: e.evaluation };
  const suggested: DecisionsFile = { format: 'frw-audit-decisions', version: 1, dataset: req.manifest.name, decisions: suggestedDecisions(findings, e.apply) };
  const suggestedFile = path.join(out, 'suggested-decisions.json');
  const text = JSON.stringify(suggested, null, 2) + '\n';
  writeFileAtomic(suggestedFile, text);
  const suggestedSha256 = sha256Hex(text);
  const applied = applyDecisions(req.manifest, suggested);
  hooks.onStage?.(`before: ${e.protocol} on ${req.manifest.name} as it is`);
  const before = await evaluateToFolder(cfg, { manifest: req.manifest, spec, out: path.join(out, 'before') }, hooks);
  hooks.onStage?.(`after: ${e.protocol} with ${suggested.decisions.length} suggested decisions applied`);
  let after: AuditEffectRun | null = null;
  let afterError: string | null = null;
  try {
    const decisions = { file: suggestedFile, sha256: suggestedSha256, applied: applied.applied };
    after = effectRun(await evaluateToFolder(cfg, { manifest: applied.manifest, spec: { ...spec, decisions }, out: path.join(out, 'after') }, hooks));
  } catch (err) {
    // Data the decisions leave unable to run the protocol (every listed pair dropped): said in the report.
    if (!isFrwError(err, 'BAD_INPUT') && !isFrwError(err, 'EMPTY_INPUT')) throw err;
    afterError = err.message;
  }
  return { protocol: e.protocol, apply: [...e.apply], suggestedFile, suggestedSha256, applied: applied.applied, before: effectRun(before), after, afterError };
}

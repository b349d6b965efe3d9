import path from 'node:path';
import { workspacePaths, type FrwConfig } from '../core/config.js';
import { writeFileAtomic } from '../core/lock.js';
import { resolveInside } from '../core/paths.js';
import type { DatasetManifest } from '../datasets/manifest.js';
import type { DeployConfig } from '../engine/deploy-config.js';
import { errorMessage } from '../core/errors.js';
import type { GateResult } from '../experiments/gate.js';
import { RunFaces } from '../pipeline/face-views.js';
import { cacheDirOf } from '../pipeline/spec.js';
import { decisionReportHtml } from '../reports/decision-report.js';
import { htmlToPdf } from '../reports/pdf.js';
import { jsonNumbers } from '../runs/format.js';
import type { RunHooks } from './deps.js';
import { runGate, type GateRequest } from './gate.js';

export type ReportFormat = 'html' | 'pdf';

/** The report's format from its file name: PDF for `.pdf`, HTML otherwise. */
export const reportFormatOf = (file: string): ReportFormat => (path.extname(file).toLowerCase() === '.pdf' ? 'pdf' : 'html');

/**
 * The decision report of a gate result (reports/decision-report.ts), its worst pairs shown as the model saw them:
 * the aligned crops, rebuilt from the landmarks the embedding cache kept. A face that cannot be rebuilt is marked
 * in the report, never fails it.
 */
export async function decisionReport(cfg: FrwConfig, gate: GateResult, config: DeployConfig, manifest: DatasetManifest, format: ReportFormat, producedBy: string): Promise<Buffer> {
  const faces = new Map<string, string | null>();
  const views = new RunFaces();
  const cacheDir = cacheDirOf(workspacePaths(cfg).embeddings, config.model.id, config.pipelineKey);
  const byPath = new Map(manifest.images.map((r) => [r.path, r]));
  const w = gate.measured.worst;
  for (const p of [...w.falseMatches, ...w.falseNonMatches].flatMap((x) => [x.a, x.b])) {
    if (faces.has(p)) continue;
    const record = byPath.get(p);
    try {
      const jpeg = await views.jpeg({ record: record!, file: resolveInside(manifest.root, p) }, cacheDir, config.pipeline, 'aligned', 168);
      faces.set(p, `data:image/jpeg;base64,${jpeg.toString('base64')}`);
    } catch {
      faces.set(p, null);
    }
  }
  const html = decisionReportHtml({ gate, faces, producedBy });
  return format === 'pdf' ? htmlToPdf(html, cfg.chromium) : Buffer.from(html);
}

/** `frw gate --report FILE`: written whole or not at all. */
export async function writeDecisionReport(cfg: FrwConfig, gate: GateResult, config: DeployConfig, manifest: DatasetManifest, out: string, producedBy: string): Promise<void> {
  const bytes = await decisionReport(cfg, gate, config, manifest, reportFormatOf(out), producedBy);
  writeFileAtomic(out, bytes);
}

/** What a decision-report folder holds, for the job's result. */
export interface DecisionReportFolder {
  verdict: GateResult['verdict'];
  files: string[];
  /** Why there is no PDF (Chromium missing or failed); the HTML is there regardless. */
  pdfError: string | null;
}

/**
 * The workbench's decision report: the gate measured and its report written to `out` — report.html, report.pdf
 * when Chromium can print it, gate.json (the measurement) and deploy.json (the exact config it is about). The
 * folder is created here and written file by file; the job runner removes it when the job does not finish.
 */
export async function decisionReportToFolder(cfg: FrwConfig, req: GateRequest, out: string, producedBy: string, hooks: RunHooks = {}): Promise<DecisionReportFolder> {
  const gate = await runGate(cfg, req, hooks);
  hooks.onStage?.('writing the decision report');
  const html = await decisionReport(cfg, gate, req.config, req.manifest, 'html', producedBy);
  writeFileAtomic(path.join(out, 'deploy.json'), JSON.stringify(req.config, null, 2) + '\n');
  writeFileAtomic(path.join(out, 'gate.json'), JSON.stringify(gate, jsonNumbers, 2) + '\n');
  writeFileAtomic(path.join(out, 'report.html'), html);
  const files = ['report.html', 'gate.json', 'deploy.json'];
  let pdfError: string | null = null;
  try {
    hooks.onStage?.('printing the PDF with Chromium');
    writeFileAtomic(path.join(out, 'report.pdf'), await htmlToPdf(html.toString('utf8'), cfg.chromium));
    files.unshift('report.pdf');
  } catch (e) {
    pdfError = errorMessage(e);
  }
  return { verdict: gate.verdict, files, pdfError };
}

/**
 * The browser's client of the workbench server (/api). Response types are the server's own (type-only imports,
 * erased by the bundler), so a change on one side fails the UI's typecheck rather than a user's screen.
 */
import type { DatasetSummary } from '../../../datasets/inspect.js';
import type { ModelMetrics } from '../../../experiments/evaluate.js';
import type { ModeResult } from '../../../experiments/identification/evaluate.js';
import type { Interval, ThresholdChoice } from '../../../experiments/metrics/index.js';
import type { RateTable } from '../../../experiments/metrics/rate-table.js';
import type { RunRecord } from '../../../runs/eval-folder.js';
import type { ErrorPair } from '../../../experiments/worst-pairs.js';
import type { ModelCard } from '../../../models/card.js';
import type { Histogram } from '../../../experiments/distributions.js';
import type { OperatingDetail } from '../../../experiments/operating-detail.js';
import type { DeployConfig } from '../../../engine/deploy-config.js';
import type { DatasetListing } from '../../server/datasets-state.js';
import type { EmbeddingSpeed, RunListing } from '../../server/run-folders.js';
import type { CompareResult, IdentificationRow, PairedSummary, VerificationRow } from '../../../usecases/compare.js';
import type { AuditDetail, AuditListing } from '../../server/audit-folders.js';
import type { Decision, DecisionsFile } from '../../../experiments/audit/decisions.js';

export type { DatasetSummary, DatasetListing, ModelMetrics, ModeResult, Interval, ThresholdChoice, RunRecord, RunListing, ErrorPair, ModelCard, Histogram, DeployConfig };
export type { CompareResult, IdentificationRow, PairedSummary, VerificationRow };
export type { AuditDetail, AuditListing, Decision };

/** An error the server answered with ({error: {code, message}}), or a network failure (code NETWORK). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ImagePage {
  total: number;
  offset: number;
  images: Array<{ path: string; identity: string; unknown: boolean; width: number; height: number; grayscale: boolean; format: string }>;
}
export interface FailureList {
  model: string;
  embedded: number;
  pending: number;
  failures: Array<{ path: string; identity: string; reason: string }>;
}
export type ModelListing = ModelCard & { origin: string; bytes: number | null; speed: EmbeddingSpeed | null };
/** Chart points as written to curves.json (non-finite numbers arrive as strings). */
export interface ChartPoints {
  threshold: Array<number | string>;
  fmr: number[];
  fnmr: number[];
  tar: number[];
  probitFmr: Array<number | string>;
  probitFnmr: Array<number | string>;
}
export interface IdentificationRecord {
  createdAt: string;
  dataset: { name: string };
  /** `enrol` for seeded splits; gallery/probe sets (`protocol` 'gallery-probe') enrol every gallery image. */
  split: { protocol?: 'seeded' | 'gallery-probe'; enrol?: number; enrolledIdentities: number; matedProbes: number; nonMatedProbes: number };
  models: Array<{ id: string }>;
  index: string;
  results: ModeResult[];
}
export interface RunDetail {
  id: string;
  run: RunRecord | null;
  metrics: { protocol: string; comparisons: { total: number; genuine: number; impostor: number }; models: Record<string, ModelMetrics> } | null;
  curves: { models?: Record<string, { chart: ChartPoints; histograms: { genuine: Histogram; impostor: Histogram } }>; curves?: Record<string, { threshold: Array<number | string>; fpir: number[]; fnir: number[] }> } | null;
  identification: IdentificationRecord | null;
  /** Identification runs: each enrolled identity's enrolment images (split.json). */
  enrolment: Record<string, string[]> | null;
  hasReport: boolean;
  /** JSON and CSV files of the run folder, downloadable through fileUrl. */
  files: string[];
}
export interface OperatingPoint {
  model: string;
  choice: ThresholdChoice;
  tar: Interval;
  /** Probits of the point's FMR and FNMR, for the DET chart (null at a rate of 0 or 1). */
  det: { probitFmr: number | null; probitFnmr: number | null };
  worst: { falseMatches: ErrorPair[]; falseNonMatches: ErrorPair[] } | null;
  worstUnavailable: string | null;
}
/** One model's rate table (counts at every grid threshold) and the level of the intervals the explorer computes from it. */
export interface RateTableView {
  model: string;
  level: number;
  table: RateTable;
}
/** The explorer's second answer at an operating point: identity-bootstrap intervals and group differentials. */
export type OperatingDetailView = OperatingDetail & { unavailable: string | null; replicates?: number; seed?: number };
export interface JobView {
  id: string;
  kind: string;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  startedAt: string;
  params: Record<string, unknown>;
  result: Record<string, unknown> | null;
}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    const init: RequestInit = { method };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    res = await fetch(url, init);
  } catch (e) {
    throw new ApiError(0, 'NETWORK', `the workbench server did not answer (${(e as Error).message}); is frw workbench still running?`);
  }
  const json = (await res.json().catch(() => null)) as ({ error?: { code: string; message: string } } & T) | null;
  if (!res.ok) throw new ApiError(res.status, json?.error?.code ?? 'HTTP', json?.error?.message ?? `${res.status} ${res.statusText}`);
  return json as T;
}

const q = (params: Record<string, string | number | undefined>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) s.set(k, String(v));
  return s.toString();
};
const enc = encodeURIComponent;

export const api = {
  datasets: () => call<{ dataRoot: string; datasets: DatasetListing[] }>('GET', '/api/datasets'),
  dataset: (name: string) => call<{ name: string; summary: DatasetSummary }>('GET', `/api/datasets/${enc(name)}`),
  registerDataset: (body: Record<string, string>) => call<{ summary: DatasetSummary }>('POST', '/api/datasets', body),
  images: (name: string, offset: number, limit: number) => call<ImagePage>('GET', `/api/datasets/${enc(name)}/images?${q({ offset, limit })}`),
  failures: (name: string, model: string) => call<FailureList>('GET', `/api/datasets/${enc(name)}/failures?${q({ model })}`),
  thumbnailUrl: (dataset: string, path: string, size = 112) => `/api/datasets/${enc(dataset)}/thumbnail?${q({ path, size })}`,
  models: () => call<{ models: ModelListing[] }>('GET', '/api/models'),
  addModel: (form: FormData) => call<{ model: ModelCard }>('POST', '/api/models', form),
  addModelByPath: (path: string, card: unknown) => call<{ model: ModelCard }>('POST', '/api/models', { path, card }),
  runs: () => call<{ runs: RunListing[] }>('GET', '/api/runs'),
  run: (id: string) => call<RunDetail>('GET', `/api/runs/${enc(id)}`),
  /** Models of these runs lined up with their paired tests; 422 NOT_COMPARABLE (with the reason) when the runs scored different comparisons. */
  compare: (runs: string[]) => call<CompareResult>('GET', `/api/runs/compare?${q({ runs: runs.join(',') })}`),
  reportUrl: (id: string, download = false) => `/api/runs/${enc(id)}/report${download ? '?download' : ''}`,
  fileUrl: (id: string, name: string) => `/api/runs/${enc(id)}/files/${enc(name)}`,
  faceUrl: (id: string, model: string, path: string, view: 'aligned' | 'context', size = 112) => `/api/runs/${enc(id)}/face?${q({ model, path, view, size })}`,
  operatingPoint: (id: string, model: string, at: { threshold: number } | { rule: string }) =>
    call<OperatingPoint>('GET', `/api/runs/${enc(id)}/operating-point?${q({ model, k: 6, ...('threshold' in at ? { threshold: at.threshold } : { rule: at.rule }) })}`),
  /** Sent once per model: the explorer looks a dragged threshold's counts up in it instead of asking at every step. */
  rateTable: (id: string, model: string) => call<RateTableView>('GET', `/api/runs/${enc(id)}/rate-table?${q({ model })}`),
  operatingDetail: (id: string, model: string, at: { threshold: number } | { rule: string }) =>
    call<OperatingDetailView>('GET', `/api/runs/${enc(id)}/operating-point/detail?${q({ model, ...('threshold' in at ? { threshold: at.threshold } : { rule: at.rule }) })}`),
  exportConfig: (id: string, body: { model: string; rule: string; mode?: string }) => call<{ config: DeployConfig }>('POST', `/api/runs/${enc(id)}/export`, body),
  pushConfig: (body: { url: string; apiKey: string; config: DeployConfig }) => call<{ engine: string; threshold: DeployConfig['threshold'] }>('POST', '/api/engine/push', body),
  startEval: (body: Record<string, unknown>) => call<{ job: { id: string; runId: string } }>('POST', '/api/jobs/eval', body),
  startIdentify: (body: Record<string, unknown>) => call<{ job: { id: string; runId: string } }>('POST', '/api/jobs/identify', body),
  startReport: (body: { run: string; model: string; rule: string; mode: string; budgets: Record<string, number | undefined> }) => call<{ job: { id: string; reportId: string } }>('POST', '/api/jobs/report', body),
  decisionReportUrl: (id: string, file: 'report.html' | 'report.pdf' | 'gate.json', download = false) => `/api/reports/${enc(id)}/${file}${download ? '?download' : ''}`,
  jobs: () => call<{ jobs: JobView[] }>('GET', '/api/jobs'),
  cancelJob: (id: string) => call<{ job: JobView }>('DELETE', `/api/jobs/${enc(id)}`),
  jobEventsUrl: (id: string) => `/api/jobs/${enc(id)}/events`,
  audits: () => call<{ audits: AuditListing[] }>('GET', '/api/audits'),
  audit: (dataset: string, id: string) => call<AuditDetail>('GET', `/api/audits/${enc(dataset)}/${enc(id)}`),
  auditFaceUrl: (dataset: string, id: string, path: string, size = 96) => `/api/audits/${enc(dataset)}/${enc(id)}/face?${q({ path, size })}`,
  /** Record a decision about one of the audit's flags in the dataset's decisions file. */
  decide: (dataset: string, id: string, d: Omit<Decision, 'decidedAt'>) => call<DecisionsFile & { file: string; sha256: string }>('POST', `/api/audits/${enc(dataset)}/${enc(id)}/decisions`, d),
};

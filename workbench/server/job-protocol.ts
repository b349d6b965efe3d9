import type { FrwConfig } from '../../core/config.js';
import type { DatasetManifest } from '../../datasets/manifest.js';
import type { EmbedProgress } from '../../pipeline/embed-dataset.js';
import type { IndexKind } from '../../search/indexes.js';
import type { EvalRunSpec } from '../../usecases/evaluate.js';
import type { GateRequest } from '../../usecases/gate.js';
import type { SplitOptions } from '../../experiments/identification/split.js';
import type { IdentifyRunSpec } from '../../usecases/identify.js';

/**
 * A job as the HTTP thread validated it: everything the job process needs, as plain data (no functions). Workbench
 * identification jobs are seeded splits of a registered dataset; gallery/probe sets run from the CLI.
 */
export type JobRequest =
  | { kind: 'eval'; manifest: DatasetManifest; spec: EvalRunSpec; out: string }
  | { kind: 'identify'; manifest: DatasetManifest; spec: Omit<IdentifyRunSpec, 'index' | 'split'> & { index: IndexKind; split: SplitOptions }; out: string }
  | { kind: 'report'; gate: GateRequest; out: string; producedBy: string };

export type JobCommand = { type: 'start'; cfg: FrwConfig; request: JobRequest } | { type: 'cancel' };

export type JobMessage =
  | { type: 'ready' }
  | { type: 'stage'; message: string }
  | { type: 'progress'; data: { model: string } & EmbedProgress }
  | { type: 'done'; result: Record<string, unknown> }
  | { type: 'failed'; code: string; message: string };

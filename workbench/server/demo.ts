import fs from 'node:fs';
import path from 'node:path';
import { workspacePaths, type FrwConfig } from '../../core/config.js';
import { openDataset } from '../../datasets/resolve.js';
import { runKindOf } from '../../runs/read.js';
import { DEMO_RUN } from '../shared/demo-run.js';
import { evalJobRequest } from './job-params.js';
import type { Job, JobRunner } from './jobs.js';

/**
 * On a first start (no run in the workspace yet), run the demo evaluation as an ordinary job, so the workbench opens
 * with a run to explore; the Experiments view shows its progress like any other job. null when runs exist.
 */
export async function startDemoIfNoRuns(cfg: FrwConfig, runner: JobRunner): Promise<Job | null> {
  const root = workspacePaths(cfg).runs;
  if (fs.existsSync(root) && fs.readdirSync(root).some((id) => runKindOf(path.join(root, id)))) return null;
  const manifest = await openDataset(DEMO_RUN.dataset, cfg);
  const request = evalJobRequest({ models: [...DEMO_RUN.models] }, manifest, cfg);
  return runner.start(request, { dataset: manifest.name, models: [...DEMO_RUN.models], protocol: request.spec.protocol, demo: true, runId: path.basename(request.out) });
}

/**
 * A worker thread running one cross-run comparison (usecases/compare.ts) for the Compare view: the paired bootstrap
 * resamples every pair of models a thousand times, which the HTTP thread must not. Datasets open as the workbench
 * opens them (under the data root, or registered), for the identities the bootstrap resamples.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { FrwConfig } from '../../core/config.js';
import { errorMessage, FrwError } from '../../core/errors.js';
import { compareRuns, type CompareRequest } from '../../usecases/compare.js';
import { WorkbenchDatasets } from './datasets-state.js';

const { cfg, request } = workerData as { cfg: FrwConfig; request: CompareRequest };
const datasets = new WorkbenchDatasets(cfg);
try {
  const result = await compareRuns(cfg, request, { openManifest: (run) => datasets.open(run.record.dataset.name) });
  parentPort!.postMessage({ ok: true, result });
} catch (e) {
  parentPort!.postMessage({ ok: false, code: e instanceof FrwError ? e.code : 'INTERNAL', message: errorMessage(e), details: e instanceof FrwError ? e.details : undefined });
}

/**
 * A worker thread computing one operating point's bootstrap and group differentials (experiments/operating-detail.ts)
 * for the threshold explorer: a thousand resamples of a large run take seconds, which the HTTP thread must not.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage, FrwError } from '../../core/errors.js';
import { operatingDetail, type OperatingDetailInput } from '../../experiments/operating-detail.js';

try {
  parentPort!.postMessage({ ok: true, detail: operatingDetail(workerData as OperatingDetailInput) });
} catch (e) {
  parentPort!.postMessage({ ok: false, code: e instanceof FrwError ? e.code : 'INTERNAL', message: errorMessage(e) });
}

/**
 * Worker thread of sortToFloat64: sorts its share of a SharedArrayBuffer of float32 scores in place with the
 * same radix sort the caller uses, then says so. Nothing is copied either way.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../core/errors.js';
import { sortFloat32 } from './metrics/radix-sort.js';

export interface SortShare {
  buffer: SharedArrayBuffer;
  /** Element offset and length of the share within the buffer. */
  offset: number;
  length: number;
}

const { buffer, offset, length } = workerData as SortShare;
try {
  sortFloat32(new Float32Array(buffer, offset * 4, length));
  parentPort!.postMessage({ ok: true });
} catch (e) {
  parentPort!.postMessage({ ok: false, message: errorMessage(e) });
}

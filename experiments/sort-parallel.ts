import { FrwError } from '../core/errors.js';
import { moduleUrl, startThread } from '../core/spawn.js';
import { sortFloat32 } from './metrics/radix-sort.js';
import type { SortShare } from './sort-worker.js';

/** Below this many scores one thread sorts alone: a worker's start-up (tens of ms) would cost more than it saves. */
const PARALLEL_MIN = 4_000_000;

/**
 * Scores held in shared memory, so that a worker thread can sort part of them in place (sortToFloat64). Streamed
 * all-pairs allocates its impostor scores this way.
 */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(4 * length));
}

/**
 * Float32 scores sorted ascending into a new Float64Array (widened exactly, -0 stored as +0, as SortedScores holds
 * them), on two cores: the second half is sorted by a worker thread while this thread sorts the first, then one merge
 * pass writes the whole, widened. Why: the radix sort of 87 million LFW impostor scores is the longest single step
 * of an all-pairs run and is memory-bound on one core, and merging straight into the float64 array saves the
 * separate widening pass and a float32 copy. `a` is left sorted by halves (or whole), for the caller to drop. It
 * must live in a SharedArrayBuffer (sharedFloat32) for the parallel path; other arrays, short ones or threads < 2 are
 * sorted on this thread. Memory at the peak: `a`, the two halves' radix buffers and the result, 16 bytes a score.
 */
export async function sortToFloat64(a: Float32Array, threads: number): Promise<Float64Array> {
  const n = a.length;
  if (threads < 2 || n < PARALLEL_MIN || !(a.buffer instanceof SharedArrayBuffer)) return widen(sortFloat32(a));
  const half = n >>> 1;
  const share: SortShare = { buffer: a.buffer, offset: a.byteOffset / 4 + half, length: n - half };
  const worker = startThread(moduleUrl('sort-worker', import.meta.url), share);
  const done = new Promise<void>((resolve, reject) => {
    worker.once('message', (m: { ok: boolean; message?: string }) => (m.ok ? resolve() : reject(new FrwError('INTERNAL', `sort worker: ${m.message}`))));
    worker.once('error', (e) => reject(new FrwError('INTERNAL', `sort worker: ${e.message}`)));
    worker.once('exit', (code) => reject(new FrwError('INTERNAL', `sort worker exited with code ${code} before sorting`)));
  });
  // Observed at once: if this thread's half throws, the worker's end still rejects `done`, and nobody else awaits it.
  done.catch(() => undefined);
  try {
    sortFloat32(a.subarray(0, half));
    await done;
  } finally {
    void worker.terminate();
  }
  return mergeWidened(a, half);
}

/** Sorted float32 → float64, -0 as +0 (x + 0 is +0 for x = -0, x otherwise). */
function widen(a: Float32Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + 0;
  return out;
}

/** The merge of a[0, half) and a[half, n), both ascending, into a new float64 array with -0 as +0 (as widen). */
function mergeWidened(a: Float32Array, half: number): Float64Array {
  const n = a.length;
  const out = new Float64Array(n);
  let i = 0;
  let j = half;
  let k = 0;
  while (i < half && j < n) out[k++] = (a[j] < a[i] ? a[j++] : a[i++]) + 0;
  while (i < half) out[k++] = a[i++] + 0;
  while (j < n) out[k++] = a[j++] + 0;
  return out;
}

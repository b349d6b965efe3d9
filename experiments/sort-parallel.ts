import { FrwError } from '../core/errors.js';
import { moduleUrl, startThread } from '../core/spawn.js';
import { sortFloat32 } from './metrics/radix-sort.js';
import type { SortShare } from './sort-worker.js';

/** Below this many scores one thread sorts alone: a worker's start-up (tens of ms) would cost more than it saves. */
const PARALLEL_MIN = 4_000_000;

/**
 * Scores held in shared memory, so that a worker thread can sort part of them in place (sortFloat32Parallel). Streamed
 * all-pairs allocates its impostor scores this way.
 */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(4 * length));
}

/**
 * Ascending sort of float32 scores on two cores: the second half is sorted by a worker thread while this thread
 * sorts the first, then one merge pass writes the whole into a new array (returned; `a` is left as two sorted
 * halves). Why: the radix sort of 87 million LFW impostor scores is the longest single step of an all-pairs run and
 * is memory-bound on one core; the merge is one sequential pass. Same order as sortFloat32 (the native order, -0
 * before +0). `a` must live in a SharedArrayBuffer (sharedFloat32) for the parallel path; other arrays, short ones,
 * or threads < 2 are sorted in place on this thread and returned. Memory at the peak: `a`, the two halves' radix
 * buffers and the merged copy, 12 bytes a score (against 8 sorting on one thread).
 */
export async function sortFloat32Parallel(a: Float32Array, threads: number): Promise<Float32Array> {
  const n = a.length;
  if (threads < 2 || n < PARALLEL_MIN || !(a.buffer instanceof SharedArrayBuffer)) return sortFloat32(a);
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
  return mergeHalves(a, half);
}

/** The merge of a[0, half) and a[half, n), both ascending, into a new array; ties take the first half's first. */
function mergeHalves(a: Float32Array, half: number): Float32Array {
  const n = a.length;
  // Compared as the radix sort's keys would be: -0 sorts before +0, which a float comparison cannot see.
  const bits = new Int32Array(a.buffer, a.byteOffset, n);
  const key = (x: number) => x ^ ((x >> 31) & 0x7fffffff);
  const out = new Float32Array(n);
  const outBits = new Int32Array(out.buffer);
  let i = 0;
  let j = half;
  let k = 0;
  while (i < half && j < n) outBits[k++] = key(bits[j]) < key(bits[i]) ? bits[j++] : bits[i++];
  while (i < half) outBits[k++] = bits[i++];
  while (j < n) outBits[k++] = bits[j++];
  return out;
}

import { Worker } from 'node:worker_threads';
import { FrwError, type ErrorCode } from '../core/errors.js';
import { moduleUrl, startThread } from '../core/spawn.js';
import { knownDigests } from '../models/files.js';
import { digestModelFiles } from '../models/load.js';
import type { ImageJob } from './embed-batch.js';
import type { WorkerInit, WorkerReply } from './embed-worker.js';

/** One finished chunk: its cache entries, the embedding stage's time, and what detection found (for the face cache). */
export type ChunkResult = Extract<WorkerReply, { type: 'done' }>;

const WORKER_URL = moduleUrl('embed-worker', import.meta.url);

/** A worker whose models have loaded and passed their checks (a worker that fails to start is terminated). */
export async function startWorker(init: WorkerInit): Promise<Worker> {
  await digestModelFiles([init.spec.embedder, init.spec.detector], init.modelRoot);
  // This process's digests, just computed or checked, win over any handed in.
  const worker = startThread(WORKER_URL, { ...init, digests: { ...init.digests, ...knownDigests() } });
  return new Promise<Worker>((resolve, reject) => {
    worker.once('message', (m: WorkerReply) => (m.type === 'ready' ? resolve(worker) : (void worker.terminate(), reject(replyError(m)))));
    worker.once('error', (e) => (void worker.terminate(), reject(e)));
  });
}

/** A fixed set of embedding workers fed chunks in order; results come back as each chunk completes. */
export class WorkerPool {
  private constructor(private readonly workers: Worker[]) {}

  /** Start `n` workers and wait until each has loaded (and checked) its models; if one fails, none is kept. */
  static async start(n: number, init: WorkerInit): Promise<WorkerPool> {
    const started = await Promise.allSettled(Array.from({ length: n }, () => startWorker(init)));
    const workers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw failed.reason;
    }
    return new WorkerPool(workers);
  }

  /**
   * Process every chunk; `onResult` runs on the main thread once per finished chunk (in completion order), with
   * the worker's time in the embedding stage for it and what its detection found. Stops handing out chunks when
   * `signal` aborts; rejects on the first worker error.
   */
  async map(chunks: readonly ImageJob[][], onResult: (result: ChunkResult) => void, signal?: AbortSignal): Promise<void> {
    let next = 0;
    // Once any worker's chunk failed (or onResult threw), no chunk is handed out or delivered any more.
    let failed = false;
    const drive = (w: Worker) =>
      new Promise<void>((resolve, reject) => {
        const fail = (e: unknown) => {
          failed = true;
          w.off('message', onMessage);
          reject(e);
        };
        const more = () => next < chunks.length && !signal?.aborted && !failed;
        const finish = () => {
          w.off('message', onMessage);
          w.off('error', fail);
          resolve();
        };
        const dispatch = () => {
          const id = next++;
          w.postMessage({ id, jobs: chunks[id] });
        };
        const onMessage = (m: WorkerReply) => {
          if (failed) return;
          if (m.type === 'done') {
            // The worker starts its next chunk before this one is written (the cache's fsync takes milliseconds
            // the worker would otherwise wait through): one chunk in flight per worker, as before.
            const last = !more();
            if (!last) dispatch();
            try {
              onResult(m);
            } catch (e) {
              fail(e);
              return;
            }
            if (last) finish();
          } else if (m.type === 'error') fail(replyError(m));
        };
        w.on('message', onMessage);
        w.once('error', fail);
        if (more()) dispatch();
        else finish();
      });
    await Promise.all(this.workers.map(drive));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

export function replyError(m: WorkerReply): Error {
  if (m.type !== 'error') return new FrwError('INTERNAL', `unexpected worker message ${m.type}`);
  return new FrwError(m.code as ErrorCode, m.message, m.details);
}

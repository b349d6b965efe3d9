/**
 * Worker thread for `embedDataset`: onnxruntime-node runs inference on the calling thread, so one process uses one
 * core for models. Each worker holds its own single-threaded sessions and does decode → detect → align → embed
 * for the chunks it is sent (detect skipped for a job that carries its face from the face cache); the main thread
 * only schedules and writes the caches, from the entries and the detection outcomes each reply carries.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage, FrwError } from '../core/errors.js';
import type { DetectorCard, EmbedderCard } from '../models/card.js';
import { rememberDigests, type DigestMemo } from '../models/files.js';
import { loadModel } from '../models/load.js';
import { embedImages, noFaceWork, type FaceWork, type ImageJob } from './embed-batch.js';
import type { StageTime } from './embed-timing.js';
import type { PipelineSpec } from './spec.js';

export interface WorkerInit {
  spec: PipelineSpec;
  modelRoot: string;
  /** Model digests the parent already computed (knownDigests): the worker does not hash the files again. */
  digests?: DigestMemo;
}

/** Jobs to embed, or the cancellation of an earlier request whose client is gone (its work stops between stages). */
export type WorkerRequest = { id: number; jobs: ImageJob[] } | { cancel: number };
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'done'; id: number; entries: Awaited<ReturnType<typeof embedImages>>; timing?: StageTime; faces?: FaceWork }
  | { type: 'error'; id: number | null; code: string; message: string; details?: Record<string, unknown> };

const port = parentPort!;
const init = workerData as WorkerInit;
const post = (m: WorkerReply) => port.postMessage(m);
const fail = (id: number | null, e: unknown) => post({ type: 'error', id, code: e instanceof FrwError ? e.code : 'INTERNAL', message: errorMessage(e), details: e instanceof FrwError ? e.details : undefined });

try {
  rememberDigests(init.digests);
  const opts = { modelRoot: init.modelRoot, threads: 1 };
  const embedder = await loadModel<EmbedderCard>(init.spec.embedder, opts);
  const detector = init.spec.detector ? await loadModel<DetectorCard>(init.spec.detector, opts) : null;
  const running = new Set<number>();
  const cancelled = new Set<number>();
  port.on('message', async (req: WorkerRequest) => {
    if ('cancel' in req) {
      // A cancel for a job already finished is dropped, so the set never grows.
      if (running.has(req.cancel)) cancelled.add(req.cancel);
      return;
    }
    running.add(req.id);
    try {
      const timing: StageTime = { embedMs: 0, faces: 0, runtime: null };
      const faces = noFaceWork();
      const entries = await embedImages(req.jobs, embedder, detector, init.spec, { cancelled: () => cancelled.has(req.id), timing, faces });
      post({ type: 'done', id: req.id, entries, timing, faces });
    } catch (e) {
      fail(req.id, e);
    } finally {
      running.delete(req.id);
      cancelled.delete(req.id);
    }
  });
  post({ type: 'ready' });
} catch (e) {
  fail(null, e);
}

import type { Worker } from 'node:worker_threads';
import { FrwError } from '../core/errors.js';
import type { CacheEntry } from './embedding-cache.js';
import type { WorkerInit, WorkerReply } from './embed-worker.js';
import { replyError, startWorker } from './worker-pool.js';

/** How long close() waits for jobs a worker is still finishing. */
const CLOSE_GRACE_MS = 10_000;

const abandoned = () => new FrwError('CANCELLED', 'the request was abandoned; its work stopped');

interface Pending {
  resolve: (e: CacheEntry) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  /**
   * Jobs the worker has not answered yet, cancelled ones included (their caller was answered at once, but the
   * worker finishes its current stage). close() waits for them: terminating a thread inside native inference can
   * take the whole process down.
   */
  working: Set<number>;
}

/**
 * Embedding workers for a server: one image in, one cache entry out (a face with its vector, or the failure to
 * acquire with its reason), each request to the least busy worker. The workers run the very embedImages code of
 * dataset embedding, so a served image gets the bits a tuning run got. The HTTP thread stays free meanwhile
 * (onnxruntime-node runs inference on the calling thread). A worker that dies fails its requests and is replaced.
 */
export class EmbedService {
  private nextId = 0;
  private closed = false;

  private constructor(
    private readonly init: WorkerInit,
    private readonly slots: Slot[],
  ) {
    for (const slot of slots) this.attach(slot);
  }

  static async start(n: number, init: WorkerInit): Promise<EmbedService> {
    if (!Number.isInteger(n) || n < 1) throw new FrwError('BAD_INPUT', `workers must be a positive integer, got ${n}`);
    // If one worker fails to start, none is kept running.
    const started = await Promise.allSettled(Array.from({ length: n }, () => EmbedService.ready(init)));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const slots = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (failed) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw failed.reason;
    }
    return new EmbedService(init, slots);
  }

  private static async ready(init: WorkerInit): Promise<Slot> {
    return { worker: await startWorker(init), pending: new Map(), working: new Set() };
  }

  private attach(slot: Slot): void {
    slot.worker.on('message', (m: WorkerReply) => {
      if (m.type === 'ready' || m.id === null) return;
      slot.working.delete(m.id);
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      if (m.type === 'done') p.resolve(m.entries[0]);
      else p.reject(replyError(m));
    });
    const lost = (why: string) => {
      for (const p of slot.pending.values()) p.reject(new FrwError('INTERNAL', `an embedding worker stopped (${why}); retry the request`));
      slot.pending.clear();
      slot.working.clear();
      if (this.closed) return;
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      // Replace it; until the new one is ready the others take the requests.
      this.slots.splice(i, 1);
      EmbedService.ready(this.init).then(
        (fresh) => (this.closed ? void fresh.worker.terminate() : (this.slots.push(fresh), this.attach(fresh))),
        () => undefined,
      );
    };
    slot.worker.once('error', (e) => lost((e as Error).message));
    slot.worker.once('exit', (code) => lost(`exit code ${code}`));
  }

  /** Acquire and embed one image; resolves with its cache entry (status ok or failed). */
  embed(image: Uint8Array, sha256: string, signal?: AbortSignal): Promise<CacheEntry> {
    if (this.closed) return Promise.reject(new FrwError('INTERNAL', 'the embedding service is closed'));
    if (signal?.aborted) return Promise.reject(abandoned());
    const slot = this.slots.reduce<Slot | undefined>((best, s) => (!best || s.pending.size < best.pending.size ? s : best), undefined);
    if (!slot) return Promise.reject(new FrwError('INTERNAL', 'no embedding worker is running; retry the request'));
    const id = this.nextId++;
    return new Promise<CacheEntry>((resolve, reject) => {
      // The client went away: answer at once, and tell the worker, which stops at its next stage.
      const onAbort = () => {
        if (!slot.pending.delete(id)) return;
        slot.worker.postMessage({ cancel: id });
        reject(abandoned());
      };
      // The listener goes with the request, so a signal shared by many images (an enrolment) does not collect them.
      const settle = <T>(fn: (v: T) => void) => (v: T) => (signal?.removeEventListener('abort', onAbort), fn(v));
      slot.pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
      slot.working.add(id);
      slot.worker.postMessage({ id, jobs: [{ sha256, image }] });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    // Let each worker answer what it is still working on (a cancelled job ends at its next stage), for a while.
    const deadline = Date.now() + CLOSE_GRACE_MS;
    while (this.slots.some((s) => s.working.size > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

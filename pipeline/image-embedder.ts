import { errorMessage, FrwError } from '../core/errors.js';
import type { DetectorCard, EmbedderCard } from '../models/card.js';
import { loadModel, type LoadedModel } from '../models/load.js';
import { embedImages } from './embed-batch.js';
import { EmbedService } from './embed-service.js';
import type { CacheEntry } from './embedding-cache.js';
import type { PipelineSpec } from './spec.js';

/**
 * One image in, one cache entry out (a face with its vector, or the failure to acquire with its reason) — the
 * engine's one embedding path, on worker threads or on the calling thread. Both run embedImages, so both give the
 * same bits, the same failures to acquire, and the same error (FrwError, code and message) for a runtime fault.
 */
export interface ImageEmbedder {
  /** `signal`: the request's; once aborted (its client gone) the work stops between stages and CANCELLED is thrown. */
  embed(image: Uint8Array, sha256: string, signal?: AbortSignal): Promise<CacheEntry>;
  close(): Promise<void>;
}

/** `workers` > 0: an EmbedService of that many threads (a server); 0: sessions on this thread (one-shot commands). */
export async function openImageEmbedder(spec: PipelineSpec, modelRoot: string, workers: number): Promise<ImageEmbedder> {
  if (workers > 0) return EmbedService.start(workers, { spec, modelRoot });
  const opts = { modelRoot, threads: 1 };
  const embedder = await loadModel(spec.embedder, opts);
  const detector = spec.detector ? await loadModel(spec.detector, opts) : null;
  return new InThreadEmbedder(spec, embedder, detector);
}

class InThreadEmbedder implements ImageEmbedder {
  constructor(
    private readonly spec: PipelineSpec,
    private readonly embedder: LoadedModel<EmbedderCard>,
    private readonly detector: LoadedModel<DetectorCard> | null,
  ) {}

  async embed(image: Uint8Array, sha256: string, signal?: AbortSignal): Promise<CacheEntry> {
    try {
      const [entry] = await embedImages([{ sha256, image }], this.embedder, this.detector, this.spec, { cancelled: () => signal?.aborted === true });
      return entry;
    } catch (e) {
      // As a worker reports it (embed-worker.ts): the code of an FrwError, INTERNAL for anything else.
      throw e instanceof FrwError ? e : new FrwError('INTERNAL', errorMessage(e), undefined, { cause: e });
    }
  }

  async close(): Promise<void> {
    await this.embedder.session.dispose();
    await this.detector?.session.dispose();
  }
}

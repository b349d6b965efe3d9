import { FrwError } from '../core/errors.js';
import { acquisitionFailureOf } from '../core/failures.js';
import { acquireFace, type AcquireSettings, type AcquiredFace } from '../models/acquire.js';
import type { DetectorCard, EmbedderCard } from '../models/card.js';
import { embedFaces } from '../models/embedder.js';
import type { LoadedModel } from '../models/load.js';
import type { CacheEntry } from './embedding-cache.js';
import type { StageTime } from './embed-timing.js';
import type { PipelineSpec } from './spec.js';

export interface ImageJob {
  sha256: string;
  /** Absolute path of the image file, or the image bytes themselves (an engine request). */
  image: string | Uint8Array;
}

export const acquireSettings = (spec: PipelineSpec): AcquireSettings => ({
  decode: spec.decode,
  detect: { size: spec.detSize },
  policy: spec.policy,
  align: spec.embedder.alignment,
});

/**
 * Images → cache entries, in job order: each image is acquired (decode, detect, align) and the faces are embedded
 * together in the model's batches. The one failure rule of the project: an image that cannot give a face
 * (undecodable, no face, refused by policy) becomes a `failed` entry with its reason, a property of the image that
 * is counted and cached; an inference or runtime fault (a detector or embedder error, a worker crash) throws, fails
 * the request or the run, and is never cached, since it says nothing about the image.
 */
export async function embedImages(
  jobs: readonly ImageJob[],
  embedder: LoadedModel<EmbedderCard>,
  detector: LoadedModel<DetectorCard> | null,
  spec: PipelineSpec,
  opts: { cancelled?: () => boolean; timing?: StageTime } = {},
): Promise<CacheEntry[]> {
  const settings = acquireSettings(spec);
  const acquired: Array<AcquiredFace | CacheEntry> = [];
  // An abandoned request (its client gone) stops between stages: before each image, and before the embedding.
  const stopIfCancelled = () => {
    if (opts.cancelled?.()) throw new FrwError('CANCELLED', 'the request was abandoned; its work stopped');
  };
  for (const job of jobs) {
    stopIfCancelled();
    try {
      acquired.push(await acquireFace(job.image, detector, settings));
    } catch (e) {
      const failure = acquisitionFailureOf(e);
      if (!failure) throw e;
      acquired.push({ status: 'failed', sha256: job.sha256, ...failure });
    }
  }
  const faces = acquired.filter((a): a is AcquiredFace => 'aligned' in a);
  if (faces.length) stopIfCancelled();
  const t0 = performance.now();
  const vectors = faces.length ? await embedFaces(embedder, faces.map((f) => f.aligned), { flip: spec.flip }) : [];
  // The embedding stage alone (preprocessing, inference, flip), for the speed a run reports (embed-timing.ts).
  if (opts.timing && faces.length) {
    opts.timing.embedMs += performance.now() - t0;
    opts.timing.faces += faces.length;
    opts.timing.runtime ??= embedder.session.runtime;
  }
  let k = 0;
  return acquired.map((a, i) => {
    if (!('aligned' in a)) return a;
    return {
      status: 'ok',
      sha256: jobs[i].sha256,
      vector: vectors[k++],
      face: { faceCount: a.faceCount, box: a.detection?.box ?? null, landmarks: a.detection?.landmarks ?? null, quality: a.quality },
    };
  });
}

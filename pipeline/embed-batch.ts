import { FrwError } from '../core/errors.js';
import { acquisitionFailureOf, failureOfTheBytes } from '../core/failures.js';
import { decodeImage } from '../datasets/image.js';
import { acquireFace, alignLocated, locateFace, type AcquireSettings, type AcquiredFace, type LocatedFace } from '../models/acquire.js';
import type { DetectorCard, EmbedderCard } from '../models/card.js';
import { embedFaces } from '../models/embedder.js';
import type { LoadedModel } from '../models/load.js';
import type { CacheEntry } from './embedding-cache.js';
import type { StageTime } from './embed-timing.js';
import type { FaceRecord } from './face-cache.js';
import type { PipelineSpec } from './spec.js';

export interface ImageJob {
  sha256: string;
  /** Absolute path of the image file, or the image bytes themselves (an engine request). */
  image: string | Uint8Array;
  /** The image's face from the face cache: detection is skipped and the face is aligned from it. */
  face?: LocatedFace;
}

/** What a batch did about faces, for the face cache and the run's summary. */
export interface FaceWork {
  /** Detector runs: one per image detected in this batch (images whose face came with the job are not). */
  detections: number;
  /** Images whose face came with the job, from the face cache. */
  fromCache: number;
  /** The detection outcome of each image detected or found undecodable here, for the face cache to keep. */
  located: FaceRecord[];
}

export const noFaceWork = (): FaceWork => ({ detections: 0, fromCache: 0, located: [] });

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
 * the request or the run, and is never cached, since it says nothing about the image. A job that carries its face
 * (from the face cache) skips detection; `opts.faces` collects what detection found for the face cache.
 */
export async function embedImages(
  jobs: readonly ImageJob[],
  embedder: LoadedModel<EmbedderCard>,
  detector: LoadedModel<DetectorCard> | null,
  spec: PipelineSpec,
  opts: { cancelled?: () => boolean; timing?: StageTime; faces?: FaceWork } = {},
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
      acquired.push(await acquireJob(job, detector, settings, opts.faces ?? noFaceWork()));
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

/**
 * One image → its aligned face: as acquireFace (decode, detect, choose, align), or from a face the job carries
 * (decode, align: the same arithmetic on the same working-resolution landmarks, so the same bits). What detection
 * found — a face or a failure to acquire — is recorded in `work` for the face cache; a runtime fault is not.
 */
async function acquireJob(job: ImageJob, detector: LoadedModel<DetectorCard> | null, s: AcquireSettings, work: FaceWork): Promise<AcquiredFace> {
  if (!detector) return acquireFace(job.image, null, s);
  const record = (e: unknown): never => {
    const failure = acquisitionFailureOf(e);
    // Only what the bytes decide: a file missing now, or a decode timed out on a busy machine, may read next time.
    if (failure && !job.face && failureOfTheBytes(e)) work.located.push({ status: 'failed', sha256: job.sha256, ...failure });
    throw e;
  };
  const dec = await decodeImage(job.image, s.decode).catch(record);
  let face = job.face;
  if (face) work.fromCache++;
  else {
    work.detections++;
    face = await locateFace(dec, detector, s).catch(record);
    work.located.push({ status: 'ok', sha256: job.sha256, ...face });
  }
  return alignLocated(dec, face, s.align);
}

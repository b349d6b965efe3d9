import path from 'node:path';
import { errorMessage, FrwError } from '../core/errors.js';
import { emptyFailureCounts, type FailureCounts, type FailureReason } from '../core/failures.js';
import type { DatasetManifest, ImageRecord } from '../datasets/manifest.js';
import type { ImageJob } from './embed-batch.js';
import { EmbeddingCache, type CacheEntry } from './embedding-cache.js';
import { defaultFacesRoot, locatedOf, openFaceCacheForRun, type FaceCacheSession, type FaceCacheUse, type FaceRecord } from './face-cache.js';
import { addStageTime, latestTiming, recordTiming, timingOf, type EmbedTiming, type StageTime } from './embed-timing.js';
import { WorkerPool } from './worker-pool.js';
import { pipelineCacheDir, pipelineKey, pipelineSettings, type PipelineSpec } from './spec.js';

/** Images per worker request: small enough for smooth progress, large enough to fill embedding batches. */
const CHUNK = 16;

export interface EmbedProgress {
  done: number;
  total: number;
  /** Images per second over the images computed this run (cache hits excluded). */
  rate: number;
  etaSeconds: number;
}

export interface EmbedSummary {
  dataset: string;
  model: string;
  detector: string;
  /** Images in the dataset; always equals `embedded + fta.count + pending`. */
  images: number;
  /** Images with an embedding (computed now or cached). */
  embedded: number;
  /** Images answered from the cache (embedding or cached failure). */
  cached: number;
  /** Images processed in this run. */
  computed: number;
  /** Failures to acquire a face, counted by reason (cached failures included). */
  fta: { count: number; byReason: FailureCounts };
  /** Images not processed because the run was interrupted (0 for a complete run). */
  pending: number;
  /** Images where the detector found more than one face (one was chosen by policy). */
  multiFace: number;
  seconds: number;
  cacheDir: string;
  /** Bytes of a torn record (an interrupted earlier run) cut from the cache on open. */
  repairedBytes: number;
  /**
   * The embedding stage's speed as measured when these embeddings were computed: by this run when it computed any,
   * else the newest measurement kept in the cache; null when none was ever measured (a cache older than the
   * measurement) — never a guess. Absent in runs written before frw recorded it.
   */
  timing?: (EmbedTiming & { source: 'this run' | 'embedding cache' }) | null;
  /**
   * How the images computed now got their faces: from the face cache (detected once, by any model's run, under the
   * same detector settings) or detected now; null for a pre-aligned pipeline. Absent in runs written before it.
   */
  faceCache?: FaceCacheUse | null;
}

/** What a run that embeds datasets (eval, identify) needs from its caller. */
export interface EmbeddingRunDeps {
  embeddingsRoot: string;
  modelRoot: string;
  workers: number;
  onEmbedProgress?: (model: string, p: EmbedProgress) => void;
  onStage?: (message: string) => void;
  /** Stops the run between images (embedding) and between stages; it then throws CANCELLED. */
  signal?: AbortSignal;
  /** Root of the face cache; null disables it; defaults to defaultFacesRoot(embeddingsRoot). */
  facesRoot?: string | null;
}

/**
 * One pipeline's embeddings for a run (eval, identify): stage message, per-model progress, and the run's
 * cancellation, which ends the run with CANCELLED once the images in flight are cached.
 */
export async function embedForRun(manifest: DatasetManifest, spec: PipelineSpec, deps: EmbeddingRunDeps): Promise<EmbedSummary> {
  deps.onStage?.(`embedding ${manifest.name} with ${spec.embedder.id}`);
  const summary = await embedDataset(manifest, spec, { embeddingsRoot: deps.embeddingsRoot, facesRoot: deps.facesRoot, modelRoot: deps.modelRoot, workers: deps.workers, signal: deps.signal, onProgress: (p) => deps.onEmbedProgress?.(spec.embedder.id, p) });
  if (deps.signal?.aborted) throw new FrwError('CANCELLED', 'run cancelled; the embeddings computed so far stay cached');
  return summary;
}

export interface EmbedDeps {
  embeddingsRoot: string;
  modelRoot: string;
  /** Worker threads, each with its own single-threaded sessions (onnxruntime-node runs on the calling thread). */
  workers: number;
  onProgress?: (p: EmbedProgress) => void;
  signal?: AbortSignal;
  /** Root of the face cache (detections shared by every embedder); null disables it; defaults to defaultFacesRoot(embeddingsRoot). */
  facesRoot?: string | null;
}

/**
 * Embed every image of a dataset through one pipeline, resuming from the cache: only images whose sha256 has no
 * entry are computed, and each batch is durable before the next starts, so a killed run loses at most one batch.
 * Images computed take their face from the face cache when another run (any embedder) already detected them.
 */
export async function embedDataset(manifest: DatasetManifest, spec: PipelineSpec, deps: EmbedDeps): Promise<EmbedSummary> {
  const t0 = performance.now();
  const cacheDir = pipelineCacheDir(deps.embeddingsRoot, spec);
  // A fully cached dataset needs no writer: read without the lock, so evaluations run beside a long `frw embed`.
  const readView = EmbeddingCache.openForRead(cacheDir);
  const complete = manifest.images.every((img) => !img.sha256 || readView.get(img.sha256));
  const cache = complete ? readView : EmbeddingCache.openForWrite(cacheDir, { key: pipelineKey(spec), settings: pipelineSettings(spec) });
  try {
    const bySha = new Map<string, ImageRecord>();
    let cached = 0;
    for (const img of manifest.images) {
      if (!img.sha256) continue; // unreadable file: counted from the manifest below, nothing to cache
      if (cache.get(img.sha256)) cached++;
      else if (!bySha.has(img.sha256)) bySha.set(img.sha256, img);
    }
    const todo = [...bySha.values()];
    const stage: StageTime = { embedMs: 0, faces: 0, runtime: null };
    const faces = spec.detector ? openFaceCacheForRun(deps.facesRoot === undefined ? defaultFacesRoot(deps.embeddingsRoot) : deps.facesRoot, spec, todo.map((i) => i.sha256)) : null;
    let computed = 0;
    try {
      computed = await computeMissing(todo, manifest.root, spec, deps, { cache, faces, t0, stage });
    } finally {
      faces?.cache?.close();
    }
    // The images the workers computed (not the failures the face cache answered), on the workers that ran.
    const measured = timingOf(stage, { workers: Math.max(1, Math.min(deps.workers, Math.ceil(computed / CHUNK))), images: computed, wallSeconds: (performance.now() - t0) / 1000, dataset: manifest.name });
    if (measured) recordTiming(cacheDir, measured); // the writer holds the cache's lock: todo is non-empty
    const kept = measured ? null : latestTiming(cacheDir);
    const summary = summarize(manifest, cache);
    return {
      dataset: manifest.name,
      model: spec.embedder.id,
      detector: spec.detector?.id ?? 'pre-aligned',
      ...summary,
      cached,
      computed: todo.length,
      seconds: (performance.now() - t0) / 1000,
      cacheDir,
      repairedBytes: cache.repairedBytes,
      timing: measured ? { ...measured, source: 'this run' } : kept ? { ...kept, source: 'embedding cache' } : null,
      faceCache: faces?.use ?? null,
    };
  } finally {
    cache.close();
  }
}

/** Where computeMissing writes: the embedding cache, the face cache session (null: pre-aligned), the run's clocks. */
interface RunState {
  cache: EmbeddingCache;
  faces: FaceCacheSession | null;
  t0: number;
  stage: StageTime;
}

/**
 * Compute the images missing from the embedding cache. A failure to acquire the face cache knows is answered here
 * (no worker, no decode); a face it knows travels with the job, so the worker skips detection; the rest are
 * detected, and what detection found is kept in the face cache (when this run holds it) before the embeddings.
 */
async function computeMissing(todo: ImageRecord[], root: string, spec: PipelineSpec, deps: EmbedDeps, run: RunState): Promise<number> {
  deps.onProgress?.({ done: 0, total: todo.length, rate: 0, etaSeconds: NaN });
  if (todo.length === 0) return 0;
  const { cache, faces } = run;
  let done = 0;
  const progress = (n: number) => {
    done += n;
    const rate = done / Math.max((performance.now() - run.t0) / 1000, 1e-3);
    deps.onProgress?.({ done, total: todo.length, rate, etaSeconds: (todo.length - done) / Math.max(rate, 1e-9) });
  };
  const answered: CacheEntry[] = [];
  const jobs: ImageJob[] = [];
  for (const img of todo) {
    const known = faces?.cache?.get(img.sha256);
    const job: ImageJob = { sha256: img.sha256, image: path.join(root, img.path) };
    if (known?.status === 'failed') answered.push({ status: 'failed', sha256: img.sha256, reason: known.reason, message: known.message });
    else jobs.push(known ? { ...job, face: locatedOf(known) } : job);
  }
  if (answered.length) {
    cache.append(answered);
    faces!.use.fromCache += answered.length;
    progress(answered.length);
  }
  if (jobs.length === 0) return 0;
  const workers = Math.max(1, Math.min(deps.workers, Math.ceil(jobs.length / CHUNK)));
  const pool = await WorkerPool.start(workers, { spec, modelRoot: deps.modelRoot });
  try {
    const chunks: ImageJob[][] = [];
    for (let i = 0; i < jobs.length; i += CHUNK) chunks.push(jobs.slice(i, i + CHUNK));
    await pool.map(chunks, (r) => {
      if (faces && r.faces) {
        // Faces before embeddings: a kill between the two leaves a detection kept and its embedding to redo.
        keepFaces(faces, r.faces.located);
        faces.use.fromCache += r.faces.fromCache;
        faces.use.detected += r.faces.detections;
      }
      // Durable before counted: a kill after this line loses nothing acknowledged.
      cache.append(r.entries);
      if (r.timing) addStageTime(run.stage, r.timing);
      progress(r.entries.length);
    }, deps.signal);
  } finally {
    await pool.close();
  }
  return jobs.length;
}

/**
 * Faces detected now into the face cache, when this run holds it. The cache is an optimisation: a write that fails
 * (a full disk) stops keeping faces, says so in the summary, and never fails the run or loses its embeddings.
 */
function keepFaces(faces: FaceCacheSession, located: FaceRecord[]): void {
  if (!faces.cache?.writable || located.length === 0 || faces.use.mode === 'write-failed') return;
  try {
    faces.cache.append(located);
  } catch (e) {
    faces.use.mode = 'write-failed';
    faces.use.note = `writing the face cache failed (${errorMessage(e)}): faces detected from here on are not kept`;
  }
}

function summarize(manifest: DatasetManifest, cache: EmbeddingCache): Pick<EmbedSummary, 'images' | 'embedded' | 'fta' | 'multiFace' | 'pending'> {
  const byReason = emptyFailureCounts();
  let embedded = 0;
  let multiFace = 0;
  let pending = 0;
  const problemReason = new Map(manifest.problems.map((p) => [p.path, p.kind]));
  for (const img of manifest.images) {
    const e = img.sha256 ? cache.get(img.sha256) : undefined;
    if (e?.status === 'ok') {
      embedded++;
      if (e.face.faceCount > 1) multiFace++;
    } else if (e?.status === 'failed') byReason[e.reason]++;
    else if (img.sha256) pending++; // readable, not processed yet: the run was interrupted before it
    else {
      // Never reached the pipeline (unreadable file): the manifest knows why.
      const kind = problemReason.get(img.path);
      byReason[(kind && kind in byReason ? kind : 'unreadable') as FailureReason]++;
    }
  }
  const count = Object.values(byReason).reduce((a, b) => a + b, 0);
  return { images: manifest.images.length, embedded, fta: { count, byReason }, multiFace, pending };
}

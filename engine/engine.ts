import { FrwError } from '../core/errors.js';
import { acquisitionFailure, acquisitionFailureOf, type FailureReason } from '../core/failures.js';
import { sha256Hex } from '../core/hash.js';
import type { Box } from '../models/detect/types.js';
import { scoreToL2Distance } from '../experiments/metrics/distance.js';
import { openImageEmbedder, type ImageEmbedder } from '../pipeline/image-embedder.js';
import { pipelineKey, specFromSettings, type PipelineSpec } from '../pipeline/spec.js';
import { faissIndex } from '../search/faiss.js';
import { exactIndex, rankIdentities, rowsNeeded, type VectorIndex } from '../search/vector-index.js';
import { aggregate, qualityWeight, type Gallery } from '../search/templates.js';
import { verifyConfigFiles, type DeployConfig } from './deploy-config.js';
import { enrolledVerdict, refusedVerdict, type CheckinOptions, type PhotoVerdict } from './photo-verdict.js';
import { GalleryStore, type AttendanceRow, type GalleryExport, type IdentityRow } from './store.js';

export interface EngineOptions {
  config: DeployConfig;
  galleryFile: string;
  modelRoot: string;
  /** The workspace's registered checkpoints (user model cards): a config may also name those files. */
  userModelsDir?: string;
  /**
   * Embedding worker threads (a server: `frw engine serve` uses one per core). 0, the default, embeds on the
   * calling thread: right for one-shot commands and tests, where starting workers costs more than it saves.
   */
  workers?: number;
}

export interface Recognition {
  /** The recognised person, or null for "unknown" (or no usable face). */
  identity: string | null;
  score: number | null;
  distance: number | null;
  threshold: { similarity: number; l2Distance: number };
  box: Box | null;
  /** Why there is no decision about a person: the failure to acquire a face. */
  failure: { reason: FailureReason; message: string } | null;
  latencyMs: number;
}

export interface EnrolResult {
  identity: IdentityRow;
  enrolled: number;
  failures: Array<{ image: number; reason: FailureReason; message: string }>;
  /** Photos that held several faces, of which the config's policy chose one: said, so a wrong pick can be caught. */
  chosenFromSeveral: Array<{ image: number; faces: number; policy: string }>;
  /** One verdict per photo, in the order sent (also in the error's details when no photo gave a face). */
  photos: PhotoVerdict[];
}

export type { CheckinOptions, PhotoVerdict };

/** The pipeline a config pins, rebuilt from the config alone (checked against its recorded key). */
export function specFromConfig(config: DeployConfig): PipelineSpec {
  return specFromSettings(config.pipeline, config.model, config.detector, config.pipelineKey);
}

/**
 * The recognition engine: enrol people from photos, identify and check in, reject strangers — with exactly the
 * model, detector, preprocessing, aggregation and threshold of its deployment config.
 */
export class Engine {
  /** Built for one config (its aggregation and search) from the gallery as it was; null once either changed. */
  private index: { config: DeployConfig; search: VectorIndex; gallery: Gallery; ids: number[] } | null = null;
  /** Reconfigurations run one at a time (a pushed config and a reload signal may arrive together). */
  private reconfiguring: Promise<void> = Promise.resolve();

  private constructor(
    private current: DeployConfig,
    readonly store: GalleryStore,
    private readonly embedder: ImageEmbedder,
    private readonly modelRoot: string,
    private readonly userModelsDir: string | undefined,
  ) {}

  get config(): DeployConfig {
    return this.current;
  }

  /**
   * Take a new tuned decision (threshold, rule, aggregation, search) without a restart. Only a config for the same
   * pipeline is taken: the gallery's vectors were made by that pipeline, and another one's scores would not mean
   * the same thing. Requests already running finish with the old config. `beforeApply` (the server writing its
   * config file) runs after every check and before the switch: if it fails, nothing has changed.
   */
  reconfigure(config: DeployConfig, beforeApply?: (config: DeployConfig) => void): Promise<void> {
    const run = this.reconfiguring.then(() => this.reconfigureNow(config, beforeApply));
    this.reconfiguring = run.catch(() => undefined);
    return run;
  }

  private async reconfigureNow(config: DeployConfig, beforeApply?: (config: DeployConfig) => void): Promise<void> {
    // The key is recomputed from the settings and cards, not taken from the config: a forged key, or cards edited
    // to disagree with their settings (an embedding of another size), is refused here, before anything changes.
    const key = pipelineKey(specFromConfig(config));
    if (key !== this.current.pipelineKey) {
      throw new FrwError('CONFLICT', `this engine's gallery was enrolled with pipeline ${this.current.pipelineKey.slice(0, 12)}… (${this.current.model.id}); the config is for ${key.slice(0, 12)}… (${config.model.id}). Start an engine with a new gallery for it instead.`);
    }
    await verifyConfigFiles(config, this.modelRoot, this.userModelsDir);
    beforeApply?.(config);
    // One assignment: a request reads the config once (recognise), so it decides wholly by the old or the new one.
    this.current = config;
  }

  /** Build the search index now (a server does it before it says it is ready), rather than on the first request. */
  warm(): void {
    this.searchIndex(this.current);
  }

  static async open(opts: EngineOptions): Promise<Engine> {
    // Hashes the model files once; loading them (here or in each worker) reuses these digests.
    await verifyConfigFiles(opts.config, opts.modelRoot, opts.userModelsDir);
    const spec = specFromConfig(opts.config);
    const embedder = await openImageEmbedder(spec, opts.modelRoot, opts.workers ?? 0);
    try {
      const store = GalleryStore.open(opts.galleryFile, opts.config.pipelineKey);
      return new Engine(opts.config, store, embedder, opts.modelRoot, opts.userModelsDir);
    } catch (e) {
      await embedder.close(); // a gallery of another pipeline, a locked file: no worker is left running
      throw e;
    }
  }

  /**
   * One photo → the face its policy chooses, embedded. A failure to acquire throws acquisitionFailure (callers count
   * it); a runtime fault throws as it is (the request fails; nothing is stored).
   */
  private async embed(image: Uint8Array, signal?: AbortSignal): Promise<{ vector: Float32Array; box: Box | null; quality: unknown; faceCount: number }> {
    const e = await this.embedder.embed(image, sha256Hex(image), signal);
    if (e.status === 'failed') throw acquisitionFailure(e.reason, e.message);
    return { vector: e.vector, box: e.face.box, quality: e.face.quality, faceCount: e.face.faceCount };
  }

  /**
   * Enrol (or, with `replace`, re-enrol) a person from photos, choosing the face of each photo by the config's
   * policy — the same choice the tuning run made, so the engine reproduces its decisions (a config made with
   * policy "reject" refuses group photos). Nothing is stored unless at least one photo gives a face.
   */
  async enrol(name: string, images: Uint8Array[], replace = false, signal?: AbortSignal): Promise<EnrolResult> {
    const clean = name.trim();
    if (!clean || clean.length > 200) throw new FrwError('BAD_INPUT', 'a name must be 1 to 200 characters');
    if (images.length === 0) throw new FrwError('BAD_INPUT', 'enrolment needs at least one image');
    const vectors: Array<{ vector: Float32Array; imageSha256: string; quality: unknown }> = [];
    const failures: EnrolResult['failures'] = [];
    const chosenFromSeveral: EnrolResult['chosenFromSeveral'] = [];
    const photos: PhotoVerdict[] = [];
    for (const [i, img] of images.entries()) {
      try {
        const e = await this.embed(img, signal);
        vectors.push({ vector: e.vector, imageSha256: sha256Hex(img), quality: e.quality });
        if (e.faceCount > 1) chosenFromSeveral.push({ image: i, faces: e.faceCount, policy: String(this.current.pipeline.policy) });
        photos.push(enrolledVerdict(i, e.faceCount, e.box));
      } catch (err) {
        const f = acquisitionFailureOf(err);
        if (!f) throw err;
        failures.push({ image: i, ...f });
        photos.push(refusedVerdict(i, f));
      }
    }
    if (vectors.length === 0) throw new FrwError('BAD_INPUT', `no face could be enrolled for "${clean}": ${failures.map((f) => `image ${f.image}: ${f.reason}`).join('; ')}`, { failures, photos });
    const identity = this.store.enrol(clean, vectors, replace);
    this.index = null;
    return { identity, enrolled: vectors.length, failures, chosenFromSeveral, photos };
  }

  private searchIndex(config: DeployConfig) {
    if (this.index?.config === config) return this.index;
    const dim = config.model.output.dim;
    const rows = this.store.allVectors(dim);
    const byId = new Map<number, { name: string; vectors: Float32Array[]; weights: number[] }>();
    for (const r of rows) {
      const e = byId.get(r.identityId) ?? { name: r.name, vectors: [], weights: [] };
      e.vectors.push(r.vector);
      e.weights.push(qualityWeight(r.quality));
      byId.set(r.identityId, e);
    }
    const ids = [...byId.keys()];
    const galleryRows: Float32Array[] = [];
    const owner: number[] = [];
    ids.forEach((id, gi) => {
      for (const v of aggregate(byId.get(id)!.vectors, byId.get(id)!.weights, config.aggregation)) {
        galleryRows.push(v);
        owner.push(gi);
      }
    });
    const vectors = new Float32Array(galleryRows.length * dim);
    galleryRows.forEach((v, k) => vectors.set(v, k * dim));
    const gallery: Gallery = { mode: config.aggregation, dim, vectors, owner: Int32Array.from(owner), identities: ids.map((id) => byId.get(id)!.name), skippedImages: 0, unenrolled: [] };
    const search = galleryRows.length === 0 ? exactIndex(vectors, dim) : config.search === 'flat' ? faissIndex('flat', vectors, dim) : exactIndex(vectors, dim);
    this.index = { config, search, gallery, ids };
    return this.index;
  }

  /** Who is this? The nearest enrolled identity if its score reaches the config's threshold, else unknown. */
  async identify(image: Uint8Array, signal?: AbortSignal): Promise<Recognition> {
    return (await this.recognise(image, signal)).recognition;
  }

  /**
   * identify, then log the attempt (who, when, score, distance, image hash, decision, processing time): the seed's
   * check-in app. De-duplication lives here, in the log (GalleryStore.checkIn): a repeat of a person recognised
   * within the window is answered with their earlier row and `duplicate: true`, whichever client sent it.
   * `attendance` is null only for a frame without a usable face when `logNoFace` is false.
   */
  async checkin(image: Uint8Array, signal?: AbortSignal, opts: CheckinOptions = {}): Promise<Recognition & { attendance: AttendanceRow | null; duplicate: boolean }> {
    const { recognition: r, identityId } = await this.recognise(image, signal);
    const decision = r.failure ? 'no-face' : r.identity ? 'recognised' : 'unknown';
    if (decision === 'no-face' && opts.logNoFace === false) return { ...r, attendance: null, duplicate: false };
    const entry = { identityId, name: r.identity, score: r.score, decision, imageSha256: sha256Hex(image), latencyMs: r.latencyMs } as const;
    const { attendance, duplicate } = this.store.checkIn(entry, (opts.dedupeWindowS ?? 0) * 1000);
    return { ...r, attendance, duplicate };
  }

  /** The recognition and, when someone is recognised, their row id in the store. */
  private async recognise(image: Uint8Array, signal?: AbortSignal): Promise<{ recognition: Recognition; identityId: number | null }> {
    const t0 = performance.now();
    const config = this.current;
    const threshold = { similarity: config.threshold.similarity, l2Distance: config.threshold.l2Distance };
    const done = (r: Omit<Recognition, 'latencyMs' | 'threshold'>, identityId: number | null = null) => ({ recognition: { ...r, threshold, latencyMs: performance.now() - t0 }, identityId });
    let face;
    try {
      face = await this.embed(image, signal);
    } catch (err) {
      const failure = acquisitionFailureOf(err);
      if (!failure) throw err;
      return done({ identity: null, score: null, distance: null, box: null, failure });
    }
    const { search, gallery, ids } = this.searchIndex(config);
    if (search.size === 0) return done({ identity: null, score: null, distance: null, box: face.box, failure: null });
    const ranked = rankIdentities(search.search(face.vector, rowsNeeded(gallery, 1)), gallery, 1);
    const score = ranked.score[0];
    const accepted = score >= threshold.similarity;
    return done({ identity: accepted ? gallery.identities[ranked.identity[0]] : null, score, distance: scoreToL2Distance(score), box: face.box, failure: null }, accepted ? ids[ranked.identity[0]] : null);
  }

  exportGallery(): GalleryExport {
    return this.store.exportGallery(this.config.pipelineKey);
  }

  /** Import a gallery exported under the same pipeline, in one transaction per identity (replacing same names). */
  importGallery(g: GalleryExport): { identities: number; vectors: number } {
    if (g?.format !== 'fr-workbench-gallery' || g.version !== 1 || !Array.isArray(g.identities)) throw new FrwError('BAD_INPUT', 'not an fr-workbench gallery export (format 1)');
    if (g.pipelineKey !== this.config.pipelineKey) throw new FrwError('CONFLICT', `the gallery was made by pipeline ${g.pipelineKey.slice(0, 12)}…, this engine runs ${this.config.pipelineKey.slice(0, 12)}…; re-enrol from photos instead`);
    const dim = this.config.model.output.dim;
    let vectors = 0;
    for (const id of g.identities) {
      const rows = id.vectors.map((v) => {
        const b = Buffer.from(v.vector, 'base64');
        if (b.byteLength !== dim * 4) throw new FrwError('BAD_INPUT', `a vector of ${id.name} has ${b.byteLength / 4} values; the model gives ${dim}`);
        return { vector: new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)), imageSha256: v.imageSha256, quality: v.quality };
      });
      this.store.enrol(id.name, rows, true);
      vectors += rows.length;
    }
    this.index = null;
    return { identities: g.identities.length, vectors };
  }

  identities(): IdentityRow[] {
    return this.store.identities();
  }

  rename(from: string, to: string): void {
    const clean = to.trim();
    if (!clean || clean.length > 200) throw new FrwError('BAD_INPUT', 'a name must be 1 to 200 characters');
    this.store.rename(from, clean);
    this.index = null;
  }

  remove(name: string): void {
    this.store.remove(name);
    this.index = null;
  }

  /** The database first (closing it is quick and makes every commit final), then the embedding workers. */
  async close(): Promise<void> {
    this.store.close();
    await this.embedder.close();
  }
}

import { FrwError } from '../core/errors.js';
import { acquisitionFailure, acquisitionFailureOf, type FailureReason } from '../core/failures.js';
import { sha256Hex } from '../core/hash.js';
import type { Box } from '../models/detect/types.js';
import { scoreToL2Distance } from '../experiments/metrics/distance.js';
import { openImageEmbedder, type ImageEmbedder } from '../pipeline/image-embedder.js';
import { pipelineKey, specFromSettings, type PipelineSpec } from '../pipeline/spec.js';
import { rankIdentities } from '../search/vector-index.js';
import { verifyConfigFiles, type DeployConfig } from './deploy-config.js';
import { enrolledVerdict, refusedVerdict, type CheckinOptions, type PhotoVerdict } from './photo-verdict.js';
import { GalleryIndex, indexSettings, sameIndexSettings } from './gallery/search-index.js';
import { GalleryMirror, type MirrorHooks, type MirrorState } from './gallery/mirror.js';
import { openGallery } from './gallery/open.js';
import { personName } from './gallery/rows.js';
import { galleryExport, parseGalleryExport, type GalleryExport } from './gallery/portable.js';
import type { AttendanceRow, GalleryStore, IdentityRow } from './gallery/types.js';

export interface EngineOptions {
  config: DeployConfig;
  /** A SQLite file, or a postgres:// URL of a gallery several replicas share (engine/gallery/open.ts). */
  gallery: string;
  modelRoot: string;
  /** The workspace's registered checkpoints (user model cards): a config may also name those files. */
  userModelsDir?: string;
  /**
   * Embedding worker threads (a server: `frw engine serve` uses one per core). 0, the default, embeds on the
   * calling thread: right for one-shot commands and tests, where starting workers costs more than it saves.
   */
  workers?: number;
  /** Told when the gallery's change feed connects or goes, and when catching up starts failing (serve logs them). */
  galleryHooks?: MirrorHooks;
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
  /** Built for one config (its aggregation and search) from one version of the mirrored gallery. */
  private index: { version: number; index: GalleryIndex } | null = null;
  /** Reconfigurations run one at a time (a pushed config and a reload signal may arrive together). */
  private reconfiguring: Promise<void> = Promise.resolve();

  private constructor(
    private current: DeployConfig,
    private readonly store: GalleryStore,
    private readonly mirror: GalleryMirror,
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
    let store: GalleryStore | undefined;
    try {
      store = await openGallery(opts.gallery, opts.config.pipelineKey);
      const mirror = await GalleryMirror.load(store, opts.config.model.output.dim, opts.galleryHooks);
      return new Engine(opts.config, store, mirror, embedder, opts.modelRoot, opts.userModelsDir);
    } catch (e) {
      // A gallery of another pipeline, a locked file, a database down: no worker or connection is left behind.
      await store?.close().catch(() => undefined);
      await embedder.close();
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
    const clean = personName(name);
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
    const identity = await this.store.enrol(clean, vectors, replace);
    await this.caughtUp();
    return { identity, enrolled: vectors.length, failures, chosenFromSeveral, photos };
  }

  /**
   * After this engine's own write: the mirror applies it (and whatever else changed) before the answer goes back,
   * so this replica recognises whom it just enrolled. The write is committed either way; if the store cannot be
   * read just now, the mirror catches up at its next notification or poll.
   */
  private async caughtUp(): Promise<void> {
    await this.mirror.sync().catch(() => undefined);
  }

  /**
   * The index for this config and the mirror as it is now: kept, caught up person by person after gallery changes,
   * or built whole (at start, for a config that aggregates or searches differently, or after very many changes).
   */
  private searchIndex(config: DeployConfig): GalleryIndex {
    const settings = indexSettings(config);
    const version = this.mirror.currentVersion;
    if (this.index && sameIndexSettings(this.index.index.settings, settings)) {
      if (this.index.version === version) return this.index.index;
      const changed = this.mirror.changedSince(this.index.version);
      if (changed) {
        try {
          this.index.index.apply(changed.flatMap((c) => (c.person ? [c.person] : [])), changed.filter((c) => !c.person).map((c) => c.id));
          this.index.version = version;
          return this.index.index;
        } catch {
          // Half applied (FAISS refused a removal, which the tests never see): rebuilt whole below, so no search
          // runs on rows out of step with FAISS.
        }
      }
    }
    this.index = { version, index: new GalleryIndex(this.mirror.current().people, settings) };
    return this.index.index;
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
    const { attendance, duplicate } = await this.store.checkIn(entry, (opts.dedupeWindowS ?? 0) * 1000);
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
    const { search, gallery, ids, rowsForTop1 } = this.searchIndex(config);
    if (search.size === 0) return done({ identity: null, score: null, distance: null, box: face.box, failure: null });
    const ranked = rankIdentities(search.search(face.vector, rowsForTop1), gallery, 1);
    const score = ranked.score[0];
    const accepted = score >= threshold.similarity;
    return done({ identity: accepted ? gallery.identities[ranked.identity[0]] : null, score, distance: scoreToL2Distance(score), box: face.box, failure: null }, accepted ? ids[ranked.identity[0]] : null);
  }

  async exportGallery(): Promise<GalleryExport> {
    return galleryExport(this.config.pipelineKey, await this.store.exportRows());
  }

  /**
   * Import a gallery exported under the same pipeline: the file is checked whole first, then written in one
   * transaction per identity (replacing same names), so a failure part-way leaves whole people, never half of one.
   */
  async importGallery(g: unknown): Promise<{ identities: number; vectors: number }> {
    const people = parseGalleryExport(g, this.config.pipelineKey, this.config.model.output.dim);
    let vectors = 0;
    try {
      for (const p of people) {
        await this.store.enrol(p.name, p.vectors, true);
        vectors += p.vectors.length;
      }
    } finally {
      await this.caughtUp();
    }
    return { identities: people.length, vectors };
  }

  identities(): Promise<IdentityRow[]> {
    return this.store.identities();
  }

  attendance(limit: number): Promise<AttendanceRow[]> {
    return this.store.attendance(limit);
  }

  async rename(from: string, to: string): Promise<void> {
    await this.store.rename(from, personName(to));
    await this.caughtUp();
  }

  async remove(name: string): Promise<void> {
    await this.store.remove(name);
    await this.caughtUp();
  }

  /** Which store, and how current this replica's copy of the gallery is (for /readyz and logs). */
  galleryState(): MirrorState & { store: GalleryStore['kind'] } {
    return { store: this.store.kind, ...this.mirror.state() };
  }

  /** Where the gallery is, without secrets. */
  get galleryLocation(): string {
    return this.store.location;
  }

  /** The database first (closing it is quick and makes every commit final), then the embedding workers. */
  async close(): Promise<void> {
    this.mirror.stop();
    await this.store.close();
    await this.embedder.close();
  }
}

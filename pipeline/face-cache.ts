import path from 'node:path';
import { errorMessage, FrwError } from '../core/errors.js';
import type { FailureReason } from '../core/failures.js';
import { canonicalJson, sha256Hex } from '../core/hash.js';
import type { LocatedFace } from '../models/acquire.js';
import { RecordLog, type CacheDescriptor, type RecordCodec } from './record-log.js';
import { pipelineSettings, type PipelineSettings, type PipelineSpec } from './spec.js';

/**
 * The face cache: what detection found in each image under one detector's settings — the chosen face (box, five
 * landmarks, score), the face count and the quality fields, or the failure to acquire — kept apart from the
 * embeddings so that every embedder reuses it. A run with several models detects each image once; the others only
 * decode, align with their own template and embed.
 *
 * `<faces root>/<key>/entries.bin`, the same crash-safe record log as the embedding cache (record-log.ts), keyed by
 * image sha256 inside a folder keyed by what changes the detection and the choice of face (faceCacheSettings), never
 * by the embedder. Failures that are properties of the image (undecodable, no face, several faces under `reject`)
 * are kept; runtime faults never reach it. Alignment failures are not detection outcomes: each embedder meets them
 * again when it aligns, so they are counted per model exactly as without the cache.
 */
const MAGIC = 0x46575246; // 'FRWF'

/** Bump when the records' bytes or the detection and choice arithmetic change meaning. */
const FACE_CACHE_VERSION = 1;

export type FaceRecord =
  | ({ status: 'ok'; sha256: string } & LocatedFace)
  | { status: 'failed'; sha256: string; reason: FailureReason; message: string };

/** The face a cached record holds, as alignment takes it. */
export const locatedOf = (r: Extract<FaceRecord, { status: 'ok' }>): LocatedFace => ({ faceCount: r.faceCount, detection: r.detection, workingLandmarks: r.workingLandmarks, quality: r.quality });

/**
 * Body: status u8 | JSON. Numbers go through JSON, which writes the shortest text that reads back as the same
 * double, so the working-resolution landmarks come back bit for bit and alignment from them is exact.
 */
const CODEC: RecordCodec<FaceRecord> = {
  magic: MAGIC,
  encodeBody(r) {
    const meta = r.status === 'ok' ? locatedOf(r) : { reason: r.reason, message: r.message };
    return Buffer.concat([Buffer.from([r.status === 'ok' ? 0 : 1]), Buffer.from(JSON.stringify(meta), 'utf8')]);
  },
  decodeBody(sha256, body) {
    if (body.length < 3) return null;
    const meta = JSON.parse(body.subarray(1).toString('utf8'));
    if (body[0] === 1) return typeof meta.reason === 'string' ? { status: 'failed', sha256, reason: meta.reason, message: String(meta.message) } : null;
    const points = meta.workingLandmarks;
    if (body[0] !== 0 || !Array.isArray(points) || !points.every((p: { x: unknown; y: unknown }) => typeof p?.x === 'number' && typeof p?.y === 'number')) return null;
    return { status: 'ok', sha256, faceCount: meta.faceCount, detection: meta.detection, workingLandmarks: points, quality: meta.quality };
  },
};

export class FaceCache extends RecordLog<FaceRecord> {
  /** Read-only view (no lock): what a run uses when another holds the writer's lock, or when it needs to add nothing. */
  static openForRead(dir: string): FaceCache {
    return new FaceCache(CODEC, dir, RecordLog.readScan(CODEC, dir), null, `face cache ${dir}`);
  }

  /** Exclusive writer: CONFLICT while another live run (or this process) holds the folder's lock. */
  static openForWrite(dir: string, descriptor: CacheDescriptor): FaceCache {
    const what = `face cache ${dir}`;
    const { scan, writer } = RecordLog.openWriter(CODEC, dir, descriptor, what);
    return new FaceCache(CODEC, dir, scan, writer, what);
  }
}

/** Everything that changes which face is found in an image and where: the face cache's key. */
export interface FaceCacheSettings {
  version: number;
  pipelineVersion: number;
  detector: NonNullable<PipelineSettings['detector']>;
  policy: PipelineSettings['policy'];
  decode: PipelineSettings['decode'];
}

/**
 * Taken from pipelineSettings, so the face cache can never key a detector setting differently from the embedding
 * cache (detSize override included); null for a pre-aligned pipeline, which detects nothing.
 */
export function faceCacheSettings(spec: PipelineSpec): FaceCacheSettings | null {
  const p = pipelineSettings(spec);
  // The pipeline's version too: a change to decoding or face choice that bumps it must not reuse old detections.
  return p.detector && { version: FACE_CACHE_VERSION, pipelineVersion: p.version, detector: p.detector, policy: p.policy, decode: p.decode };
}

/** What a face cache folder records about itself: its settings and their hash, whose first 16 digits name it. */
function faceCacheDescriptor(spec: PipelineSpec): (CacheDescriptor & { detector: string }) | null {
  const settings = faceCacheSettings(spec);
  return settings && { key: sha256Hex(canonicalJson(settings)), detector: spec.detector!.id, settings };
}

const dirOf = (facesRoot: string, d: CacheDescriptor) => path.join(facesRoot, d.key.slice(0, 16));

/** The face cache folder of a pipeline's detection settings (null when it has no detector). */
export function faceCacheDir(facesRoot: string, spec: PipelineSpec): string | null {
  const d = faceCacheDescriptor(spec);
  return d && dirOf(facesRoot, d);
}

/**
 * Where the face cache lives for an embeddings root: the workspace's `cache/faces` beside `cache/embeddings`. An
 * embeddings root elsewhere (a bench's scratch folder) gets a faces folder of its own beside it, so runs that keep
 * their embeddings apart do not silently share detections either.
 */
export function defaultFacesRoot(embeddingsRoot: string): string {
  const dir = path.resolve(embeddingsRoot);
  return path.basename(dir) === 'embeddings' ? path.join(path.dirname(dir), 'faces') : `${dir}-faces`;
}

/** How one run used the face cache, for its summary. */
export interface FaceCacheUse {
  /** null when the face cache is disabled. */
  dir: string | null;
  /**
   * `read-write`: faces detected now are kept. `read-only`: every image needed was already there (no lock taken).
   * `locked`: another live run holds the cache's lock, so this run reads what is there and detects the rest without
   * keeping it. `off`: disabled, or unavailable (its folder cannot be opened); every image is detected. `unused`:
   * nothing needed computing. `write-failed`: a write failed mid-run (a full disk); faces detected after it are not kept.
   */
  mode: 'read-write' | 'read-only' | 'locked' | 'off' | 'unused' | 'write-failed';
  /** Images whose detection outcome (a face or a failure to acquire) came from the face cache: not detected again. */
  fromCache: number;
  /** Images the detector ran on in this run. */
  detected: number;
  /** Why the cache was not written, when it was not (`locked`, `off`). */
  note: string | null;
}

export interface FaceCacheSession {
  cache: FaceCache | null;
  use: FaceCacheUse;
}

/**
 * The face cache for a run that must compute `needed` images: a writer when any is missing, else a lock-free view.
 * Another live run holding the lock never fails this one: it reads what is there and detects the rest unkept.
 */
export function openFaceCacheForRun(facesRoot: string | null, spec: PipelineSpec, needed: readonly string[]): FaceCacheSession {
  const descriptor = facesRoot === null ? null : faceCacheDescriptor(spec);
  const dir = facesRoot === null || descriptor === null ? null : dirOf(facesRoot, descriptor);
  const use = (mode: FaceCacheUse['mode'], note: string | null = null): FaceCacheUse => ({ dir, mode, fromCache: 0, detected: 0, note });
  if (dir === null || descriptor === null) return { cache: null, use: use('off', 'face cache disabled: every image is detected') };
  if (needed.length === 0) return { cache: null, use: use('unused') };
  let view: FaceCache;
  try {
    view = FaceCache.openForRead(dir);
  } catch (e) {
    // An optimisation that cannot be read (a folder not ours to read) must not fail the run: detect everything.
    return { cache: null, use: use('off', `face cache unavailable (${errorMessage(e)}): every image is detected`) };
  }
  if (needed.every((sha) => view.get(sha))) return { cache: view, use: use('read-only') };
  try {
    return { cache: FaceCache.openForWrite(dir, descriptor), use: use('read-write') };
  } catch (e) {
    // Another live run holds the lock (CONFLICT), or the folder cannot be written: read what is there, keep nothing.
    const mode = e instanceof FrwError && e.code === 'CONFLICT' ? 'locked' : 'write-failed';
    return { cache: view, use: use(mode, `${errorMessage(e)}: faces detected in this run are not kept in the face cache`) };
  }
}

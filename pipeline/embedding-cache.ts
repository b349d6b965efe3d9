import type { FailureReason } from '../core/failures.js';
import type { FaceQuality } from '../models/acquire.js';
import type { Box, Point } from '../models/detect/types.js';
import { decodeRecords, encodeRecord, logFile, RecordLog, type CacheDescriptor, type LogScan, type RecordCodec } from './record-log.js';

export type { CacheDescriptor } from './record-log.js';

/**
 * Append-only binary log of embeddings for one pipeline (model + detector + alignment + preprocessing + flip).
 * Keyed by image sha256, so renamed or copied files hit the cache and edited ones miss it. The framing, CRC, repair
 * and lock are the shared record log's (record-log.ts); this file owns the body.
 *
 * Body layout (little-endian): status u8 + 3 pad | metaLen u32 | meta JSON | dim u32 | dim × f32. With the frame
 * (magic | length | sha256 … crc32) this is byte for byte the layout caches were always written in.
 */
const MAGIC = 0x45575246; // 'FRWE'

export interface CachedFace {
  faceCount: number;
  box: Box | null;
  landmarks: Point[] | null;
  quality: FaceQuality;
}

export type CacheEntry =
  | { status: 'ok'; sha256: string; face: CachedFace; vector: Float32Array }
  | { status: 'failed'; sha256: string; reason: FailureReason; message: string };

const CODEC: RecordCodec<CacheEntry> = {
  magic: MAGIC,
  encodeBody(e) {
    const meta = Buffer.from(JSON.stringify(e.status === 'ok' ? e.face : { reason: e.reason, message: e.message }), 'utf8');
    const dim = e.status === 'ok' ? e.vector.length : 0;
    const b = Buffer.alloc(8 + meta.length + 4 + dim * 4);
    b.writeUInt8(e.status === 'ok' ? 0 : 1, 0);
    b.writeUInt32LE(meta.length, 4);
    meta.copy(b, 8);
    let o = 8 + meta.length;
    b.writeUInt32LE(dim, o); o += 4;
    if (e.status === 'ok') for (let i = 0; i < dim; i++, o += 4) b.writeFloatLE(e.vector[i], o);
    return b;
  },
  decodeBody(sha256, body) {
    if (body.length < 12) return null;
    const status = body.readUInt8(0);
    const metaLen = body.readUInt32LE(4);
    if (8 + metaLen + 4 > body.length) return null;
    const meta = JSON.parse(body.subarray(8, 8 + metaLen).toString('utf8'));
    const dimAt = 8 + metaLen;
    const dim = body.readUInt32LE(dimAt);
    if (dimAt + 4 + 4 * dim !== body.length) return null;
    if (status !== 0) return { status: 'failed', sha256, reason: meta.reason, message: meta.message };
    const vector = new Float32Array(dim);
    for (let i = 0; i < dim; i++) vector[i] = body.readFloatLE(dimAt + 4 + 4 * i);
    return { status: 'ok', sha256, face: meta as CachedFace, vector };
  },
};

export const encodeEntry = (e: CacheEntry): Buffer => encodeRecord(CODEC, e);

/** Every intact record of an embedding log (see decodeRecords: damage is skipped, the scan resynchronises). */
export const decodeLog = (buf: Buffer): LogScan<CacheEntry> => decodeRecords(CODEC, buf);

export class EmbeddingCache extends RecordLog<CacheEntry> {
  static logPath(dir: string): string {
    return logFile(dir);
  }

  /** Read-only view (no lock): for evaluation, which must not block a running `frw embed`. */
  static openForRead(dir: string): EmbeddingCache {
    return new EmbeddingCache(CODEC, dir, RecordLog.readScan(CODEC, dir), null, `embedding cache ${dir}`);
  }

  /** Exclusive writer: takes the folder's lock, cuts a torn tail, and appends from there. */
  static openForWrite(dir: string, descriptor: CacheDescriptor): EmbeddingCache {
    const what = `embedding cache ${dir}`;
    const { scan, writer } = RecordLog.openWriter(CODEC, dir, descriptor, what);
    return new EmbeddingCache(CODEC, dir, scan, writer, what);
  }
}

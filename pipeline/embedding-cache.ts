import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { FrwError } from '../core/errors.js';
import { acquireLock, writeFileAtomic } from '../core/lock.js';
import type { FailureReason } from '../core/failures.js';
import type { FaceQuality } from '../models/acquire.js';
import type { Box, Point } from '../models/detect/types.js';

/**
 * Append-only binary log of embeddings for one pipeline (model + detector + alignment + preprocessing + flip).
 * Keyed by image sha256, so renamed or copied files hit the cache and edited ones miss it.
 *
 * Record layout (little-endian): magic u32 | length u32 | sha256 32B | status u8 + 3 pad | metaLen u32 | meta JSON |
 * dim u32 | dim × f32 | crc32 u32 (over everything before it). A crash can only tear the last record; opening
 * the log for writing truncates a torn tail, and reading ignores it, so a half-written entry is never used. Damage
 * elsewhere (a flipped byte) costs only the records it touches: decodeLog resynchronises on the next intact one.
 */
const MAGIC = 0x45575246; // 'FRWE'
const HEADER = 4 + 4 + 32 + 4 + 4;

export interface CachedFace {
  faceCount: number;
  box: Box | null;
  landmarks: Point[] | null;
  quality: FaceQuality;
}

export type CacheEntry =
  | { status: 'ok'; sha256: string; face: CachedFace; vector: Float32Array }
  | { status: 'failed'; sha256: string; reason: FailureReason; message: string };

export function encodeEntry(e: CacheEntry): Buffer {
  const meta = Buffer.from(JSON.stringify(e.status === 'ok' ? e.face : { reason: e.reason, message: e.message }), 'utf8');
  const dim = e.status === 'ok' ? e.vector.length : 0;
  const len = HEADER + meta.length + 4 + dim * 4 + 4;
  const b = Buffer.alloc(len);
  let o = 0;
  b.writeUInt32LE(MAGIC, o); o += 4;
  b.writeUInt32LE(len, o); o += 4;
  if (!/^[0-9a-f]{64}$/.test(e.sha256)) throw new FrwError('INTERNAL', `bad sha256 for cache entry: ${e.sha256}`);
  Buffer.from(e.sha256, 'hex').copy(b, o); o += 32;
  b.writeUInt8(e.status === 'ok' ? 0 : 1, o); o += 4;
  b.writeUInt32LE(meta.length, o); o += 4;
  meta.copy(b, o); o += meta.length;
  b.writeUInt32LE(dim, o); o += 4;
  if (e.status === 'ok') for (let i = 0; i < dim; i++, o += 4) b.writeFloatLE(e.vector[i], o);
  b.writeUInt32LE(zlib.crc32(b.subarray(0, o)), o);
  return b;
}

export interface LogScan {
  entries: Map<string, CacheEntry>;
  /** The intact records' bytes, in file order: what a repaired log holds. */
  intact: Buffer[];
  /** Byte offset after the last intact record. */
  validBytes: number;
  /** Bytes after it that did not form an intact record (a torn write, or garbage appended). */
  tornBytes: number;
  /** Damaged stretches between intact records (a flipped byte, a bad sector): skipped, the records after them kept. */
  damaged: Array<{ offset: number; bytes: number }>;
}

const MAGIC_BYTES = Buffer.from([MAGIC & 0xff, (MAGIC >>> 8) & 0xff, (MAGIC >>> 16) & 0xff, MAGIC >>> 24]);

/** The record at o when it is intact (magic, length in range, CRC), else null. */
function recordAt(buf: Buffer, o: number): { len: number; entry: CacheEntry } | null {
  if (o + HEADER > buf.length || buf.readUInt32LE(o) !== MAGIC) return null;
  const len = buf.readUInt32LE(o + 4);
  if (len < HEADER + 8 || o + len > buf.length) return null;
  if (zlib.crc32(buf.subarray(o, o + len - 4)) !== buf.readUInt32LE(o + len - 4)) return null;
  try {
    const sha256 = buf.subarray(o + 8, o + 40).toString('hex');
    const status = buf.readUInt8(o + 40);
    const metaLen = buf.readUInt32LE(o + 44);
    const meta = JSON.parse(buf.subarray(o + HEADER, o + HEADER + metaLen).toString('utf8'));
    const dimAt = o + HEADER + metaLen;
    const dim = buf.readUInt32LE(dimAt);
    if (dimAt + 4 + 4 * dim + 4 !== o + len) return null;
    if (status !== 0) return { len, entry: { status: 'failed', sha256, reason: meta.reason, message: meta.message } };
    const vector = new Float32Array(dim);
    for (let i = 0; i < dim; i++) vector[i] = buf.readFloatLE(dimAt + 4 + 4 * i);
    return { len, entry: { status: 'ok', sha256, face: meta as CachedFace, vector } };
  } catch {
    return null; // a CRC that matches by chance over bytes that are not ours
  }
}

/**
 * Every intact record of a log. Damage does not end the scan: after a bad record the scan moves to the next place
 * the magic number starts an intact record, and counts the bytes skipped; what follows the last intact record is
 * the torn tail. Records a damaged stretch held are lost (their images are embedded again); no other is.
 */
export function decodeLog(buf: Buffer): LogScan {
  const entries = new Map<string, CacheEntry>();
  const intact: Buffer[] = [];
  const damaged: LogScan['damaged'] = [];
  let o = 0;
  let validBytes = 0;
  while (o < buf.length) {
    const r = recordAt(buf, o);
    if (r) {
      entries.set(r.entry.sha256, r.entry);
      intact.push(buf.subarray(o, o + r.len));
      o += r.len;
      validBytes = o;
      continue;
    }
    // Resynchronise on the next magic number that starts an intact record.
    let next = buf.indexOf(MAGIC_BYTES, o + 1);
    while (next >= 0 && !recordAt(buf, next)) next = buf.indexOf(MAGIC_BYTES, next + 1);
    if (next < 0) break;
    damaged.push({ offset: o, bytes: next - o });
    o = next;
  }
  return { entries, intact, validBytes, tornBytes: buf.length - validBytes, damaged };
}

function scanLog(file: string): LogScan {
  return fs.existsSync(file) ? decodeLog(fs.readFileSync(file)) : { entries: new Map(), intact: [], validBytes: 0, tornBytes: 0, damaged: [] };
}

/** What a cache folder records about the pipeline it belongs to, for people and for `frw` to check. */
export interface CacheDescriptor {
  key: string;
  settings: unknown;
}

export class EmbeddingCache {
  readonly dir: string;
  readonly entries: Map<string, CacheEntry>;
  /** Bytes that formed no intact record (a torn tail, appended garbage, damage between records): cut on opening for write. */
  readonly repairedBytes: number;
  /** Damaged stretches skipped between intact records, for the report. */
  readonly damaged: LogScan['damaged'];
  private fd: number | null;
  private release: (() => void) | null;

  private constructor(dir: string, scan: LogScan, fd: number | null, release: (() => void) | null) {
    this.dir = dir;
    this.entries = scan.entries;
    this.repairedBytes = scan.tornBytes + scan.damaged.reduce((a, d) => a + d.bytes, 0);
    this.damaged = scan.damaged;
    this.fd = fd;
    this.release = release;
  }

  static logPath(dir: string): string {
    return path.join(dir, 'entries.bin');
  }

  /** Read-only view (no lock): for evaluation, which must not block a running `frw embed`. */
  static openForRead(dir: string): EmbeddingCache {
    const file = EmbeddingCache.logPath(dir);
    return new EmbeddingCache(dir, scanLog(file), null, null);
  }

  /** Exclusive writer: takes the folder's lock, cuts a torn tail, and appends from there. */
  static openForWrite(dir: string, descriptor: CacheDescriptor): EmbeddingCache {
    fs.mkdirSync(dir, { recursive: true });
    const release = acquireLock(path.join(dir, 'entries.lock'), `embedding cache ${dir}`);
    try {
      const descFile = path.join(dir, 'settings.json');
      if (!fs.existsSync(descFile)) writeFileAtomic(descFile, JSON.stringify(descriptor, null, 2) + '\n');
      const file = EmbeddingCache.logPath(dir);
      const scan = scanLog(file);
      // Only intact records are kept: a torn tail is cut in place; damage between records (or anything else) is
      // repaired by writing the intact records to a new file and renaming it over the old one, so a crash in the
      // middle of the repair leaves either log, never half of one.
      if (scan.damaged.length > 0) writeFileAtomic(file, Buffer.concat(scan.intact));
      else if (scan.tornBytes > 0) fs.truncateSync(file, scan.validBytes);
      const fd = fs.openSync(file, 'a');
      return new EmbeddingCache(dir, scan, fd, release);
    } catch (e) {
      release();
      throw e;
    }
  }

  get(sha256: string): CacheEntry | undefined {
    return this.entries.get(sha256);
  }

  /** Append entries in one write and fsync: once this returns they survive a crash. */
  append(batch: readonly CacheEntry[]): void {
    if (this.fd === null) throw new FrwError('INTERNAL', 'embedding cache opened read-only');
    if (batch.length === 0) return;
    fs.writeSync(this.fd, Buffer.concat(batch.map(encodeEntry)));
    fs.fsyncSync(this.fd);
    for (const e of batch) this.entries.set(e.sha256, e);
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    this.release?.();
    this.release = null;
  }
}

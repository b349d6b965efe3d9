import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { FrwError } from '../core/errors.js';
import { acquireLock, writeFileAtomic } from '../core/lock.js';

/**
 * The crash-safe, append-only log both pipeline caches are made of (the embedding cache and the face cache), in one
 * place so that a repair rule fixed here is fixed for both. One record per image, keyed by its sha256.
 *
 * Record layout (little-endian): magic u32 | length u32 | sha256 32B | body | crc32 u32 (over everything before
 * it). Each cache has its own magic and body codec. A crash can only tear the last record; opening the log for
 * writing truncates a torn tail, and reading ignores it, so a half-written entry is never used. Damage elsewhere (a
 * flipped byte) costs only the records it touches: the scan resynchronises on the next intact one.
 */
const FRAME = 4 + 4 + 32;

export interface Keyed {
  sha256: string;
}

/** How one cache's entries become a record body and back. */
export interface RecordCodec<T extends Keyed> {
  magic: number;
  /** The bytes between the sha256 and the CRC. */
  encodeBody(e: T): Buffer;
  /** The entry of an intact record, or null when its body is not one this codec wrote (it then counts as damage). */
  decodeBody(sha256: string, body: Buffer): T | null;
}

export function encodeRecord<T extends Keyed>(codec: RecordCodec<T>, e: T): Buffer {
  if (!/^[0-9a-f]{64}$/.test(e.sha256)) throw new FrwError('INTERNAL', `bad sha256 for cache entry: ${e.sha256}`);
  const body = codec.encodeBody(e);
  const len = FRAME + body.length + 4;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(codec.magic, 0);
  b.writeUInt32LE(len, 4);
  Buffer.from(e.sha256, 'hex').copy(b, 8);
  body.copy(b, FRAME);
  b.writeUInt32LE(zlib.crc32(b.subarray(0, len - 4)), len - 4);
  return b;
}

export interface LogScan<T> {
  entries: Map<string, T>;
  /** The intact records' bytes, in file order: what a repaired log holds. */
  intact: Buffer[];
  /** Byte offset after the last intact record. */
  validBytes: number;
  /** Bytes after it that did not form an intact record (a torn write, or garbage appended). */
  tornBytes: number;
  /** Damaged stretches between intact records (a flipped byte, a bad sector): skipped, the records after them kept. */
  damaged: Array<{ offset: number; bytes: number }>;
}

const magicBytes = (magic: number) => Buffer.from([magic & 0xff, (magic >>> 8) & 0xff, (magic >>> 16) & 0xff, magic >>> 24]);

/** The record at o when it is intact (magic, length in range, CRC, a body the codec reads), else null. */
function recordAt<T extends Keyed>(codec: RecordCodec<T>, buf: Buffer, o: number): { len: number; entry: T } | null {
  if (o + FRAME > buf.length || buf.readUInt32LE(o) !== codec.magic) return null;
  const len = buf.readUInt32LE(o + 4);
  if (len < FRAME + 4 || o + len > buf.length) return null;
  if (zlib.crc32(buf.subarray(o, o + len - 4)) !== buf.readUInt32LE(o + len - 4)) return null;
  try {
    const entry = codec.decodeBody(buf.subarray(o + 8, o + FRAME).toString('hex'), buf.subarray(o + FRAME, o + len - 4));
    return entry ? { len, entry } : null;
  } catch {
    return null; // a CRC that matches by chance over bytes that are not ours
  }
}

/**
 * Every intact record of a log. Damage does not end the scan: after a bad record the scan moves to the next place
 * the magic number starts an intact record, and counts the bytes skipped; what follows the last intact record is
 * the torn tail. Records a damaged stretch held are lost (their images are processed again); no other is.
 */
export function decodeRecords<T extends Keyed>(codec: RecordCodec<T>, buf: Buffer): LogScan<T> {
  const entries = new Map<string, T>();
  const intact: Buffer[] = [];
  const damaged: LogScan<T>['damaged'] = [];
  const magic = magicBytes(codec.magic);
  let o = 0;
  let validBytes = 0;
  while (o < buf.length) {
    const r = recordAt(codec, buf, o);
    if (r) {
      entries.set(r.entry.sha256, r.entry);
      intact.push(buf.subarray(o, o + r.len));
      o += r.len;
      validBytes = o;
      continue;
    }
    // Resynchronise on the next magic number that starts an intact record.
    let next = buf.indexOf(magic, o + 1);
    while (next >= 0 && !recordAt(codec, buf, next)) next = buf.indexOf(magic, next + 1);
    if (next < 0) break;
    damaged.push({ offset: o, bytes: next - o });
    o = next;
  }
  return { entries, intact, validBytes, tornBytes: buf.length - validBytes, damaged };
}

function scanFile<T extends Keyed>(codec: RecordCodec<T>, file: string): LogScan<T> {
  return fs.existsSync(file) ? decodeRecords(codec, fs.readFileSync(file)) : { entries: new Map(), intact: [], validBytes: 0, tornBytes: 0, damaged: [] };
}

/** What a cache folder records about the pipeline it belongs to, for people and for `frw` to check. */
export interface CacheDescriptor {
  key: string;
  settings: unknown;
}

/** Where a log lives: `<dir>/entries.bin`, its lock `<dir>/entries.lock`, its descriptor `<dir>/settings.json`. */
export const logFile = (dir: string): string => path.join(dir, 'entries.bin');
export const lockFile = (dir: string): string => path.join(dir, 'entries.lock');

interface Writer {
  fd: number;
  release: () => void;
}

/**
 * One open log: the intact entries read on opening (plus those appended since) and, for a writer, the file it
 * appends to under the folder's lock. Readers take no lock, so a finished cache can be read beside a running writer.
 */
export class RecordLog<T extends Keyed> {
  readonly dir: string;
  readonly entries: Map<string, T>;
  /** Bytes that formed no intact record (a torn tail, appended garbage, damage between records): cut on opening for write. */
  readonly repairedBytes: number;
  /** Damaged stretches skipped between intact records, for the report. */
  readonly damaged: LogScan<T>['damaged'];
  private writer: Writer | null;

  protected constructor(
    private readonly codec: RecordCodec<T>,
    dir: string,
    scan: LogScan<T>,
    writer: Writer | null,
    private readonly what: string,
  ) {
    this.dir = dir;
    this.entries = scan.entries;
    this.repairedBytes = scan.tornBytes + scan.damaged.reduce((a, d) => a + d.bytes, 0);
    this.damaged = scan.damaged;
    this.writer = writer;
  }

  /** The log's current content, without a lock. */
  protected static readScan<T extends Keyed>(codec: RecordCodec<T>, dir: string): LogScan<T> {
    return scanFile(codec, logFile(dir));
  }

  /**
   * Exclusive writer: takes the folder's lock (CONFLICT while another live process or this one holds it; a dead
   * owner's lock is taken over), writes the descriptor once, repairs the log, and opens it for appending.
   */
  protected static openWriter<T extends Keyed>(codec: RecordCodec<T>, dir: string, descriptor: CacheDescriptor, what: string): { scan: LogScan<T>; writer: Writer } {
    fs.mkdirSync(dir, { recursive: true });
    const release = acquireLock(lockFile(dir), what);
    try {
      const descFile = path.join(dir, 'settings.json');
      if (!fs.existsSync(descFile)) writeFileAtomic(descFile, JSON.stringify(descriptor, null, 2) + '\n');
      const file = logFile(dir);
      const scan = scanFile(codec, file);
      // Only intact records are kept: a torn tail is cut in place; damage between records (or anything else) is
      // repaired by writing the intact records to a new file and renaming it over the old one, so a crash in the
      // middle of the repair leaves either log, never half of one.
      if (scan.damaged.length > 0) writeFileAtomic(file, Buffer.concat(scan.intact));
      else if (scan.tornBytes > 0) fs.truncateSync(file, scan.validBytes);
      return { scan, writer: { fd: fs.openSync(file, 'a'), release } };
    } catch (e) {
      release();
      throw e;
    }
  }

  get writable(): boolean {
    return this.writer !== null;
  }

  get(sha256: string): T | undefined {
    return this.entries.get(sha256);
  }

  /** Append entries in one write and fsync: once this returns they survive a crash. */
  append(batch: readonly T[]): void {
    if (this.writer === null) throw new FrwError('INTERNAL', `${this.what} opened read-only`);
    if (batch.length === 0) return;
    fs.writeSync(this.writer.fd, Buffer.concat(batch.map((e) => encodeRecord(this.codec, e))));
    fs.fsyncSync(this.writer.fd);
    for (const e of batch) this.entries.set(e.sha256, e);
  }

  close(): void {
    if (this.writer === null) return;
    fs.closeSync(this.writer.fd);
    this.writer.release();
    this.writer = null;
  }
}

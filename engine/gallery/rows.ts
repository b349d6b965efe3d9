import { FrwError } from '../../core/errors.js';
import { scoreToL2Distance } from '../../experiments/metrics/distance.js';
import type { AttendanceRow, EnrolVector, FaceQuality, StoredIdentity } from './types.js';

/** Row shaping both stores share, so their answers are the same to the byte (the contract suite checks it). */

export const vectorBytes = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** A stored vector back to floats (copied: the driver's buffer may be pooled), checked against the model's size. */
export function vectorOf(b: Buffer, dim: number, owner: string): Float32Array {
  if (b.byteLength !== dim * 4) throw new FrwError('INTEGRITY', `a stored vector of ${owner} is ${b.byteLength} bytes; the model gives ${dim} float32 values (${dim * 4} bytes)`);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export const qualityJson = (v: EnrolVector): string => JSON.stringify(v.quality ?? null);

/** Rows of (identity, vector) in identity then enrolment order, grouped into people. */
export function groupIdentities(rows: Array<{ identityId: number; name: string; vector: Buffer; quality: FaceQuality | null }>, dim: number, people: Array<{ id: number; name: string }>): StoredIdentity[] {
  const byId = new Map<number, StoredIdentity>(people.map((p) => [p.id, { id: p.id, name: p.name, vectors: [] }]));
  for (const r of rows) byId.get(r.identityId)?.vectors.push({ vector: vectorOf(r.vector, dim, r.name), quality: r.quality });
  return [...byId.values()];
}
export type RawAttendance = Omit<AttendanceRow, 'distance'>;

export const attendanceRow = (r: RawAttendance): AttendanceRow => ({
  ...r,
  images: r.identityId === null ? null : r.images,
  distance: r.score === null ? null : scoreToL2Distance(r.score),
});

/** A person's name as stored: trimmed, 1 to 200 characters, no control characters (PostgreSQL refuses NUL). */
export function personName(name: string, what = 'a name'): string {
  const clean = name.trim();
  if (!clean || clean.length > 200 || /[\u0000-\u001f\u007f]/.test(clean)) throw new FrwError('BAD_INPUT', `${what} must be 1 to 200 characters, none of them control characters`);
  return clean;
}

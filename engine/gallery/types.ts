/**
 * The engine's gallery (enrolled people and their vectors) and attendance log, as one contract that each store
 * keeps: SQLite (engine/gallery/sqlite.ts, the embedded default: one file, one host) and PostgreSQL
 * (engine/gallery/postgres.ts: one database that several engine replicas share). tests/engine/gallery/contract.ts
 * runs the same suite on both.
 *
 * Every write to the gallery (an enrolment, a rename, a removal) records a change with a sequence number in the
 * same transaction, and writers are serialised, so change numbers are in commit order: a replica that has applied
 * every change up to N and reads the changes after N (`changesSince`) misses nothing, whenever it last looked.
 */
export interface IdentityRow {
  id: number;
  name: string;
  vectors: number;
  createdAt: string;
  updatedAt: string;
}

export interface AttendanceRow {
  id: number;
  at: string;
  /** The enrolled person's id (null for unknown, no face, or a person deleted since). */
  identityId: number | null;
  name: string | null;
  score: number | null;
  /** L2 distance of the score (sqrt(2 - 2s)), the unit the check-in app shows beside the deployed threshold. */
  distance: number | null;
  decision: 'recognised' | 'unknown' | 'no-face';
  imageSha256: string;
  /** How many photos the person has enrolled now (null when no enrolled person). */
  images: number | null;
  /** The check-in's processing time on the engine, ms (null for rows logged before it was recorded). */
  latencyMs: number | null;
}

/** What a check-in logs; `at` and `id` are the store's. */
export type AttendanceEntry = Pick<AttendanceRow, 'identityId' | 'name' | 'score' | 'decision' | 'imageSha256' | 'latencyMs'>;

/** A vector to enrol: the photo's hash and the face's quality (detector score, eye distance) go with it. */
export interface EnrolVector {
  vector: Float32Array;
  imageSha256: string;
  quality: unknown;
}

export interface FaceQuality {
  detScore: number;
  interEyeDistance: number;
}

/** An enrolled person as a replica's search index needs them. */
export interface StoredIdentity {
  id: number;
  name: string;
  vectors: Array<{ vector: Float32Array; quality: FaceQuality | null }>;
}

/** The whole gallery as of change `seq`. */
export interface GallerySnapshot {
  seq: number;
  identities: StoredIdentity[];
}

/** What changed after a change number, up to `seq`: each person touched, as they are now, or gone. */
export interface GalleryChanges {
  seq: number;
  changed: StoredIdentity[];
  removed: number[];
}

/** One record of the portable gallery file (`frw engine export-gallery`). */
export interface GalleryExportRow {
  name: string;
  imageSha256: string;
  /** Base64 of the float32 values. */
  vector: string;
  quality: unknown;
}

export type StoreKind = 'sqlite' | 'postgres';

export interface GalleryStore {
  readonly kind: StoreKind;
  /** Where the gallery is, fit for a log line: a file path, or a URL without its password. */
  readonly location: string;
  /**
   * Add vectors to a person, creating them if new, in one transaction. With `replace` their old vectors go
   * (re-enrolment). Concurrent enrolments of one name serialise.
   */
  enrol(name: string, vectors: EnrolVector[], replace: boolean): Promise<IdentityRow>;
  identities(): Promise<IdentityRow[]>;
  /** Every person with their vectors, read in one snapshot with the change number it is current to. */
  snapshot(dim: number): Promise<GallerySnapshot>;
  changesSince(seq: number, dim: number): Promise<GalleryChanges>;
  /** Every vector with its owner's name, ordered by name then enrolment: the portable gallery's rows. */
  exportRows(): Promise<GalleryExportRow[]>;
  rename(from: string, to: string): Promise<void>;
  remove(name: string): Promise<void>;
  /**
   * Log a check-in, unless the same person was already recognised less than `windowMs` ago (by the store's clock):
   * then nothing is logged and their earlier row comes back with `duplicate`. Checked and written atomically, so
   * two clients (two tabs, two replicas) checking the same person in at once log one row. Unknowns never merge.
   */
  checkIn(entry: AttendanceEntry, windowMs: number): Promise<{ attendance: AttendanceRow; duplicate: boolean }>;
  /** The newest `limit` rows, newest first. */
  attendance(limit: number): Promise<AttendanceRow[]>;
  /**
   * Call `onChange` whenever another writer may have changed the gallery: PostgreSQL's notifications, and each
   * reconnection of its listener (notifications sent while it was away are lost; the caller catches up by number).
   * SQLite has no push; its callers poll `changesSince`. `onConnection` hears the listener connect and go.
   */
  watch(onChange: () => void, onConnection?: (connected: boolean) => void): void;
  /** Whether pushed changes are arriving now (SQLite: always true; PostgreSQL: its listener is connected). */
  feedConnected(): boolean;
  close(): Promise<void>;
}

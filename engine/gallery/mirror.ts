import { errorMessage } from '../../core/errors.js';
import type { GalleryChanges, GalleryStore, StoredIdentity } from './types.js';

/** How often a replica asks for changes besides being told of them: SQLite's other writers, a listener gone quiet. */
export const DEFAULT_POLL_MS = 2000;
/** Versions whose touched people are remembered, for an index to catch up person by person; older: rebuild. */
const TOUCH_LOG = 1000;

/** What a server logs of its mirror: the change feed connecting and going, catch-ups starting to fail. */
export interface MirrorHooks {
  onFeed?(connected: boolean, state: MirrorState): void;
  onSyncError?(message: string, state: MirrorState): void;
}

export interface MirrorState {
  /** The last change number applied. */
  seq: number;
  /** Bumped by every applied change that altered someone: the search index catches up when it moves. */
  version: number;
  identities: number;
  /** Whether pushed changes are arriving (PostgreSQL's listener connected). */
  feedConnected: boolean;
  /** The last catch-up's failure, cleared by the next one that works. */
  lastError: string | null;
}

/**
 * A replica's copy of the gallery in memory: loaded whole at start, then kept current by applying the changes after
 * the last number it applied — when the store pushes (PostgreSQL NOTIFY, a reconnected listener), after this
 * engine's own writes, and on a slow poll. Catch-ups run one at a time and coalesce: a request made while one runs
 * is served by the next, which starts after it and so sees every change committed before the request.
 */
export class GalleryMirror {
  private people = new Map<number, StoredIdentity>();
  private seq = 0;
  private version = 0;
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastError: string | null = null;
  private touches: Array<{ version: number; ids: number[] }> = [];

  private constructor(
    private readonly store: GalleryStore,
    private readonly dim: number,
    private readonly hooks: MirrorHooks,
  ) {}

  static async load(store: GalleryStore, dim: number, hooks: MirrorHooks = {}, pollMs = DEFAULT_POLL_MS): Promise<GalleryMirror> {
    const m = new GalleryMirror(store, dim, hooks);
    const snap = await store.snapshot(dim);
    for (const p of snap.identities) m.people.set(p.id, p);
    m.seq = snap.seq;
    store.watch(
      () => void m.sync().catch(() => undefined),
      (connected) => hooks.onFeed?.(connected, m.state()),
    );
    m.timer = setInterval(() => void m.sync().catch(() => undefined), pollMs);
    m.timer.unref();
    return m;
  }

  /** Apply every change after the last one applied. Rejects when the store cannot be read (the state says why). */
  sync(): Promise<void> {
    if (this.queued) return this.queued;
    const run = this.chain.then(() => {
      this.queued = null;
      return this.catchUp();
    });
    this.queued = run;
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async catchUp(): Promise<void> {
    let changes: GalleryChanges;
    try {
      changes = await this.store.changesSince(this.seq, this.dim);
      this.lastError = null;
    } catch (e) {
      const first = this.lastError === null;
      this.lastError = errorMessage(e);
      if (first) this.hooks.onSyncError?.(this.lastError, this.state());
      throw e;
    }
    this.apply(changes);
  }

  private apply(c: GalleryChanges): void {
    if (c.seq <= this.seq) return;
    for (const p of c.changed) this.people.set(p.id, p);
    for (const id of c.removed) this.people.delete(id);
    this.seq = c.seq;
    if (c.changed.length || c.removed.length) {
      this.version++;
      this.touches.push({ version: this.version, ids: [...c.changed.map((p) => p.id), ...c.removed] });
      if (this.touches.length > TOUCH_LOG) this.touches.splice(0, this.touches.length - TOUCH_LOG);
    }
  }

  /**
   * Who changed after `version`, as they are now: `person` undefined for someone removed. Null when that version
   * is too old to say (the caller rebuilds from `current`).
   */
  changedSince(version: number): Array<{ id: number; person: StoredIdentity | undefined }> | null {
    if (version === this.version) return [];
    if (version > this.version || (this.touches[0]?.version ?? Infinity) > version + 1) return null;
    const ids = new Set(this.touches.filter((t) => t.version > version).flatMap((t) => t.ids));
    return [...ids].map((id) => ({ id, person: this.people.get(id) }));
  }

  /** Bumped by each applied change that altered someone. */
  get currentVersion(): number {
    return this.version;
  }

  /** Everyone enrolled, in id order (enrolment order), and the version they are of. */
  current(): { version: number; people: StoredIdentity[] } {
    return { version: this.version, people: [...this.people.values()].sort((a, b) => a.id - b.id) };
  }

  state(): MirrorState {
    return { seq: this.seq, version: this.version, identities: this.people.size, feedConnected: this.store.feedConnected(), lastError: this.lastError };
  }

  /** Stop polling; the store (and its listener) is the caller's to close. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

import { growingFlatIndex, type GrowingFlatIndex } from '../../search/faiss.js';
import { aggregate, qualityWeight, type Gallery } from '../../search/templates.js';
import { exactIndex, type VectorIndex } from '../../search/vector-index.js';
import type { DeployConfig } from '../deploy-config.js';
import type { StoredIdentity } from './types.js';

/** Rows removed from FAISS in place at most; more, and FAISS is refilled from the compacted rows. */
const REMOVE_IN_PLACE_MAX = 64;

/** What of a deployment config the index depends on: a config differing only in threshold or rule reuses it. */
export interface IndexSettings {
  dim: number;
  aggregation: DeployConfig['aggregation'];
  search: DeployConfig['search'];
}

export const indexSettings = (c: DeployConfig): IndexSettings => ({ dim: c.model.output.dim, aggregation: c.aggregation, search: c.search });
export const sameIndexSettings = (a: IndexSettings, b: IndexSettings): boolean => a.dim === b.dim && a.aggregation === b.aggregation && a.search === b.search;

/**
 * A replica's search index over its mirrored gallery: templates per person by the config's aggregation
 * (quality-weighted as in tuning), searched by FAISS flat or the exact index, scores recomputed canonically.
 * Built whole once, then changed person by person as the change feed brings them (`apply`): a person's old rows
 * go (the rest keep their order in FAISS and in the rescoring copy alike), their new rows are appended. A change
 * costs one pass over the row owners and a compaction, not a rebuild: the README's sizing table has both.
 */
export class GalleryIndex {
  private buf: Float32Array;
  private own: Int32Array;
  private rows = 0;
  /** Per slot (the gallery's identity index): name, the store's id, and how many rows it has now. */
  private readonly names: string[] = [];
  private readonly storeIds: number[] = [];
  private readonly rowCount: number[] = [];
  private readonly slotOf = new Map<number, number>();
  private readonly faiss: GrowingFlatIndex | null;
  search!: VectorIndex;
  gallery!: Gallery;
  /** Rows to ask for so that the best distinct identity is among them (search/vector-index.ts rowsNeeded, kept current). */
  rowsForTop1 = 0;

  constructor(
    people: readonly StoredIdentity[],
    readonly settings: IndexSettings,
  ) {
    // Room for as many rows again: zeroed pages cost no memory until written, and the first enrolments after start
    // then append without copying the gallery (a million people: seconds).
    const expected = people.reduce((n, p) => n + (settings.aggregation === 'raw' ? p.vectors.length : 1), 0);
    this.buf = new Float32Array(Math.max(64, 2 * expected) * settings.dim);
    this.own = new Int32Array(Math.max(64, 2 * expected));
    this.faiss = settings.search === 'flat' ? growingFlatIndex(settings.dim) : null;
    this.append(people);
    if (this.faiss && this.rows > 0) {
      // FAISS's own storage grows (doubling, copying) at the first add past its exact initial size: take that copy
      // here, at start, rather than on the first enrolment a replica is asked to apply.
      this.faiss.add(new Float32Array(settings.dim));
      this.faiss.remove([this.rows]);
    }
    this.refresh();
  }

  /** The store's id of each gallery identity, by slot. */
  get ids(): readonly number[] {
    return this.storeIds;
  }

  /** People changed (as they are now) and people removed, by store id. */
  apply(changed: readonly StoredIdentity[], removed: readonly number[]): void {
    const dead = new Set<number>();
    for (const id of [...removed, ...changed.map((p) => p.id)]) {
      const slot = this.slotOf.get(id);
      if (slot !== undefined && this.rowCount[slot] > 0) dead.add(slot);
    }
    if (dead.size) this.drop(dead);
    for (const id of removed) {
      const slot = this.slotOf.get(id);
      if (slot !== undefined) this.names[slot] = ''; // no row points at it any more; the slot is reused if the id returns
    }
    this.append(changed);
    this.refresh();
  }

  private append(people: readonly StoredIdentity[]): void {
    const { dim, aggregation } = this.settings;
    const first = this.rows;
    for (const p of people) {
      if (p.vectors.length === 0) continue;
      let slot = this.slotOf.get(p.id);
      if (slot === undefined) {
        slot = this.names.length;
        this.slotOf.set(p.id, slot);
        this.storeIds.push(p.id);
        this.rowCount.push(0);
        this.names.push(p.name);
      }
      this.names[slot] = p.name;
      const templates = aggregate(p.vectors.map((v) => v.vector), p.vectors.map((v) => qualityWeight(v.quality)), aggregation);
      this.reserve(this.rows + templates.length);
      for (const t of templates) {
        this.buf.set(t, this.rows * dim);
        this.own[this.rows++] = slot;
      }
      this.rowCount[slot] = templates.length;
    }
    this.faiss?.add(this.buf.subarray(first * dim, this.rows * dim));
  }

  /** Remove the rows of `slots`, keeping the others' order (as FAISS's remove does). */
  private drop(slots: Set<number>): void {
    const { dim } = this.settings;
    const gone: number[] = [];
    let w = 0;
    for (let r = 0; r < this.rows; r++) {
      if (slots.has(this.own[r])) {
        gone.push(r);
        continue;
      }
      if (w !== r) {
        this.buf.copyWithin(w * dim, r * dim, (r + 1) * dim);
        this.own[w] = this.own[r];
      }
      w++;
    }
    this.rows = w;
    for (const s of slots) this.rowCount[s] = 0;
    if (!this.faiss) return;
    // FAISS tests each row against the removed list (faiss-node passes an array selector): fine for a few people,
    // quadratic for a re-import; past a few, the same index is emptied (keeping its storage) and refilled from the
    // compacted rows.
    if (gone.length <= REMOVE_IN_PLACE_MAX) this.faiss.remove(gone);
    else {
      this.faiss.reset();
      this.faiss.add(this.buf.subarray(0, this.rows * dim));
    }
  }

  private reserve(rows: number): void {
    if (rows <= this.own.length) return;
    const cap = Math.max(rows, this.own.length * 2);
    const buf = new Float32Array(cap * this.settings.dim);
    buf.set(this.buf.subarray(0, this.rows * this.settings.dim));
    const own = new Int32Array(cap);
    own.set(this.own.subarray(0, this.rows));
    this.buf = buf;
    this.own = own;
  }

  private refresh(): void {
    const { dim, aggregation } = this.settings;
    const vectors = this.buf.subarray(0, this.rows * dim);
    this.gallery = { mode: aggregation, dim, vectors, owner: this.own.subarray(0, this.rows), identities: this.names, skippedImages: 0, unenrolled: [] };
    this.search = this.rows > 0 && this.faiss ? this.faiss.view(vectors) : exactIndex(vectors, dim);
    this.rowsForTop1 = Math.min(this.rows, this.rowCount.reduce((m, c) => Math.max(m, c), 0));
  }
}

/**
 * Bootstrap over probe identities for open-set identification (docs/metrics.md, "Confidence" and
 * "Open-set identification (1:N)"). Probes of one identity (mated) or one unknown person (non-mated) are
 * correlated, so the unit resampled is the identity, as bootstrapOverIdentities does for pairs. Unlike pairs, a
 * probe's search involves one probe only, so a probe is simply kept m(identity) times: no cross terms.
 */
import { FrwError } from '../../core/errors.js';
import { percentileBootstrap, type BootstrapInterval, type BootstrapOptions } from './bootstrap.js';
import { checkLevel } from './checks.js';
import { checkGallery, trustedOpenSet, type GallerySize, type OpenSetScores } from './open-set.js';
import { mulberry32 } from './random.js';

/** Searched probes with the identity (mated) or person (non-mated) each image belongs to; index i = probe i. */
export interface OpenSetProbes {
  readonly mated: {
    readonly identity: Int32Array;
    /** 1 if the mate was ranked first, 0 if not. */
    readonly hit: Uint8Array;
    /** The top-1 (= mate) score where hit = 1; ignored where hit = 0 (a miss at every threshold). */
    readonly score: Float64Array;
  };
  /** Non-mated probes; `identity` numbers unknown persons in their own id space (they are never enrolled). */
  readonly nonMated: { readonly identity: Int32Array; readonly top1: Float64Array };
  readonly gallery: GallerySize;
}

/** A bootstrap interval over probe identities; `identities` = matedIdentities + nonMatedPersons. */
export interface OpenSetBootstrapInterval extends BootstrapInterval {
  readonly matedIdentities: number;
  readonly nonMatedPersons: number;
  readonly gallery: GallerySize;
}

/**
 * Percentile-bootstrap interval of `statistic(scores)` over probe identities. One replicate draws K_m mated
 * identities from the K_m distinct ones, then K_n non-mated persons from the K_n, with replacement (one PRNG,
 * that order); each probe is kept as often as its identity was drawn. The gallery stays fixed: every score and
 * rank came from a search of this gallery, and resampling it would change every search (and the FPIR, which
 * depends on gallery size), so only probes are resampled. estimate = the statistic on the original probes;
 * lower/upper = type-7 quantiles of the successful replicates. Ties: none needed. NOT_MEASURABLE if all fail.
 */
export function bootstrapOpenSet(probes: OpenSetProbes, statistic: (s: OpenSetScores) => number, options: BootstrapOptions): OpenSetBootstrapInterval {
  const replicates = options.replicates ?? 1000;
  const level = checkLevel(options.level ?? 0.95);
  if (!Number.isInteger(replicates) || replicates < 1) throw new FrwError('BAD_INPUT', `replicates must be a positive integer, got ${replicates}`);
  const rng = mulberry32(options.seed);
  const p = splitProbes(probes);
  const Km = p.missesOf.length;
  const Kn = p.nonMatedPersons;
  const mm = new Uint32Array(Km).fill(1);
  const mn = new Uint32Array(Kn).fill(1);
  const estimate = statistic(rebuild(p, mm, mn));
  const interval = percentileBootstrap(
    { replicates, level, seed: options.seed, estimate, identities: Km + Kn, method: `bootstrap over probe identities, gallery fixed (B=${replicates}, seed=${options.seed})` },
    () => {
      mm.fill(0);
      mn.fill(0);
      for (let d = 0; d < Km; d++) mm[rng.nextInt(Km)]++;
      for (let d = 0; d < Kn; d++) mn[rng.nextInt(Kn)]++;
      return statistic(rebuild(p, mm, mn));
    },
  );
  return { ...interval, matedIdentities: Km, nonMatedPersons: Kn, gallery: p.gallery };
}

/** Probes prepared once for the bootstrap: scores sorted ascending with the index of their identity. */
interface SplitProbes {
  readonly hitScore: Float64Array;
  readonly hitId: Int32Array;
  /** Per mated identity index: how many of its probes are misses. */
  readonly missesOf: Uint32Array;
  readonly nmScore: Float64Array;
  readonly nmId: Int32Array;
  readonly nonMatedPersons: number;
  readonly gallery: GallerySize;
}

function splitProbes(p: OpenSetProbes): SplitProbes {
  const m = p?.mated;
  const nm = p?.nonMated;
  const n = m?.identity?.length;
  if (typeof n !== 'number' || m.hit?.length !== n || m.score?.length !== n) throw new FrwError('BAD_INPUT', 'mated probes need identity, hit and score arrays of one length');
  if (typeof nm?.identity?.length !== 'number' || nm.top1?.length !== nm.identity.length) throw new FrwError('BAD_INPUT', 'non-mated probes need identity and top1 arrays of one length');
  if (n === 0) throw new FrwError('EMPTY_INPUT', 'no mated probes to bootstrap: FNIR is undefined');
  if (nm.identity.length === 0) throw new FrwError('EMPTY_INPUT', 'no non-mated probes to bootstrap: FPIR is undefined');
  const gallery = checkGallery(p.gallery);
  const mIds = indexIds(m.identity, 'mated');
  const nIds = indexIds(nm.identity, 'non-mated');
  const missesOf = new Uint32Array(mIds.count);
  const hits: number[] = [];
  for (let i = 0; i < n; i++) {
    if (m.hit[i] !== 0 && m.hit[i] !== 1) throw new FrwError('BAD_INPUT', `mated probe #${i}: hit must be 0 or 1, got ${m.hit[i]}`);
    if (m.hit[i] === 0) missesOf[mIds.index[i]]++;
    else if (!Number.isFinite(m.score[i])) throw new FrwError('BAD_INPUT', `mated probe #${i}: score is ${m.score[i]}`);
    else hits.push(i);
  }
  for (let i = 0; i < nm.top1.length; i++) if (!Number.isFinite(nm.top1[i])) throw new FrwError('BAD_INPUT', `non-mated probe #${i}: top1 is ${nm.top1[i]}`);
  // Sorted once here, so every rebuilt replicate comes out sorted by a single in-order pass.
  const hitOrder = Int32Array.from(hits).sort((a, b) => m.score[a] - m.score[b]);
  const nmOrder = Int32Array.from(nm.top1, (_, i) => i).sort((a, b) => nm.top1[a] - nm.top1[b]);
  return {
    hitScore: Float64Array.from(hitOrder, (i) => m.score[i] || 0), // -0 → +0, as sortOpenSet stores it
    hitId: Int32Array.from(hitOrder, (i) => mIds.index[i]),
    missesOf,
    nmScore: Float64Array.from(nmOrder, (i) => nm.top1[i] || 0),
    nmId: Int32Array.from(nmOrder, (i) => nIds.index[i]),
    nonMatedPersons: nIds.count,
    gallery,
  };
}

/** Identity ids → dense indices 0..K-1 (first-seen order); 32-bit integers only. */
function indexIds(ids: ArrayLike<number>, what: string): { index: Int32Array; count: number } {
  const dense = new Map<number, number>();
  const index = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || (id | 0) !== id) throw new FrwError('BAD_INPUT', `${what} probe #${i}: identity must be a 32-bit integer, got ${id}`);
    let k = dense.get(id);
    if (k === undefined) dense.set(id, (k = dense.size));
    index[i] = k;
  }
  return { index, count: dense.size };
}

/** The OpenSetScores of a replicate: probe i kept m(identity of i) times; already sorted, so marked as built. */
function rebuild(p: SplitProbes, mm: Uint32Array, mn: Uint32Array): OpenSetScores {
  let matedMiss = 0;
  for (let a = 0; a < mm.length; a++) matedMiss += mm[a] * p.missesOf[a];
  return trustedOpenSet({ matedHit: repeat(p.hitScore, p.hitId, mm), matedMiss, nonMatedTop1: repeat(p.nmScore, p.nmId, mn), gallery: p.gallery });
}

function repeat(score: Float64Array, id: Int32Array, m: Uint32Array): Float64Array {
  let n = 0;
  for (let i = 0; i < id.length; i++) n += m[id[i]];
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < id.length; i++) for (let c = m[id[i]]; c > 0; c--) out[k++] = score[i];
  return out;
}


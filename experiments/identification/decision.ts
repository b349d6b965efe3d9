/**
 * An identification config's decision measured on a QA set, as the engine decides it: a probe is answered with its
 * top-1 identity iff that score is >= t, else "unknown". FPIR = strangers answered with someone; FNIR = mated
 * probes not answered with their own identity. System level: a probe that lost its face is answered "unknown" (a
 * miss for a mated probe, a correct reject for a stranger). Same shape as the verification measurement, so the gate,
 * its summary and the decision report treat both alike.
 */
import type { DatasetManifest } from '../../datasets/manifest.js';
import type { EmbeddingTable } from '../../pipeline/embedding-table.js';
import { groupDifferentials, RATE_NAMES } from '../groups.js';
import { measureRate, type DecisionMeasurement, type DecisionOptions } from '../decision.js';
import { bootstrapOpenSet, openSetRatesAt, type OpenSetProbes } from '../metrics/index.js';
import type { ErrorPair } from '../worst-pairs.js';
import type { ProbeOutcome } from './evaluate.js';
import type { IdentificationSplit } from './split.js';

/** Below every cosine similarity: a stranger's probe that lost its face is never answered, at any threshold. */
const NO_FACE_SCORE = -2;

export function measureOpenSetDecision(manifest: DatasetManifest, split: IdentificationSplit, table: EmbeddingTable, outcomes: ProbeOutcome[], threshold: number, gallery: { identities: number; vectors: number; mode: string }, opts: DecisionOptions): DecisionMeasurement {
  const byPath = new Map(outcomes.map((o) => [o.image, o]));
  const out = (i: number) => (table.ok[i] ? byPath.get(manifest.images[i].path) : undefined);
  const nm = split.mated.image.length;
  const nn = split.nonMated.image.length;
  // Decisions per probe: index, same (mated), accepted as correct (mated) or answered at all (stranger).
  const image = new Int32Array(nm + nn);
  const same = new Uint8Array(nm + nn);
  const accepted = new Uint8Array(nm + nn);
  const matedHit = new Uint8Array(nm);
  const matedScore = new Float64Array(nm);
  const nonTop1 = new Float64Array(nn);
  let fnir = 0;
  let fp = 0;
  split.mated.image.forEach((img, k) => {
    const o = out(img);
    matedHit[k] = o && o.mateRank === 1 ? 1 : 0;
    matedScore[k] = o?.score ?? Number.NaN;
    image[k] = img;
    same[k] = 1;
    accepted[k] = matedHit[k] && o!.score! >= threshold ? 1 : 0;
    if (!accepted[k]) fnir++;
  });
  split.nonMated.image.forEach((img, j) => {
    const o = out(img);
    nonTop1[j] = o?.score ?? NO_FACE_SCORE;
    image[nm + j] = img;
    accepted[nm + j] = nonTop1[j] >= threshold ? 1 : 0;
    if (accepted[nm + j]) fp++;
  });
  const probes: OpenSetProbes = {
    mated: { identity: Int32Array.from(split.mated.identity), hit: matedHit, score: matedScore },
    nonMated: { identity: Int32Array.from(split.nonMated.person), top1: nonTop1 },
    gallery: { identities: gallery.identities, vectors: gallery.vectors },
  };
  const boot = (stat: 'fpir' | 'fnir', level: number) => (opts.bootstrap > 0 ? bootstrapOpenSet(probes, (s) => openSetRatesAt(s, threshold)[stat], { replicates: opts.bootstrap, seed: opts.seed, level }) : null);
  const rate = (name: 'FPIR' | 'FNIR', errors: number, trials: number) => measureRate(name, errors, trials, opts.bootstrap > 0 ? (level) => boot(name === 'FPIR' ? 'fpir' : 'fnir', level)! : null, opts.level);
  // The worst answers: strangers taken for someone (highest first), mated probes missed (lowest first), each beside
  // a gallery image of the identity involved.
  const enrolled = new Map(split.gallery.map((g) => [g.identity, manifest.images[g.images[0]]?.path ?? '']));
  const pair = (o: ProbeOutcome, who: string | null): ErrorPair => ({ a: o.image, b: (who && enrolled.get(who)) || o.image, score: o.score ?? Number.NaN });
  const strangers = outcomes.filter((o) => o.mate === null && o.score !== null && o.score >= threshold).sort((x, y) => y.score! - x.score!);
  const missed = outcomes.filter((o) => o.mate !== null && !(o.mateRank === 1 && o.score! >= threshold)).sort((x, y) => (x.score ?? -Infinity) - (y.score ?? -Infinity));
  const decided = { a: image, b: image, same, accepted };
  return {
    kind: 'identification',
    gallery: { identities: gallery.identities, vectors: gallery.vectors, enrol: split.protocol.kind === 'seeded' ? split.protocol.enrol : 0, mode: gallery.mode },
    threshold,
    level: opts.level,
    fmr: rate('FPIR', fp, nn),
    fnmr: rate('FNIR', fnir, nm),
    failuresToAcquire: { genuine: nm - outcomes.filter((o) => o.mate !== null).length, impostor: nn - outcomes.filter((o) => o.mate === null).length },
    bootstrap: opts.bootstrap > 0 ? { replicates: opts.bootstrap, seed: opts.seed, identities: new Set(split.mated.identity).size + new Set(split.nonMated.person).size } : null,
    worst: { falseMatches: strangers.slice(0, opts.worst).map((o) => pair(o, o.top1)), falseNonMatches: missed.slice(0, opts.worst).map((o) => pair(o, o.mate)) },
    groups: opts.attributes.map((attr) => groupDifferentials(decided, attr, opts.level, RATE_NAMES.identification)),
  };
}

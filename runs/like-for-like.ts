import type { RunRecord } from './eval-folder.js';
import { runFolderId as idOf, type IdentificationFile, type RunFolder } from './read.js';

/**
 * Whether models of different run folders may be lined up (docs/metrics.md: "results from different data,
 * protocols or pair lists are not comparable: say so instead of ranking them"). `basis` says what was proven the
 * same; `reason` why it could not be.
 */
export type LikeForLike = { comparable: true; kind: RunFolder['kind']; basis: string } | { comparable: false; reason: string };

const short = (h: string | undefined) => (h ? `${h.slice(0, 8)}…` : 'unrecorded');

function sampling(rec: RunRecord): string {
  const s = rec.impostorSampling;
  return s ? ` (${s.sampled.toLocaleString('en')} impostor pairs sampled with seed ${s.seed})` : '';
}

function describeEval(r: RunFolder & { kind: 'eval' }): string {
  const rec = r.record;
  return `run ${idOf(r)} scored ${rec.protocol}${sampling(rec)} on ${rec.dataset.name} manifest ${short(rec.dataset.manifestHash)}`;
}

function splitText(rec: IdentificationFile): string {
  const s = rec.split;
  if (s.protocol === 'gallery-probe') return `gallery/probe sets (${s.sets.source}), unknown label ${s.sets.unknownLabel ?? 'none'}`;
  return `enrol ${s.enrol}, seed ${s.seed}, unknown share ${s.unknownShare ?? 'none'}, few-image identities ${s.fewImages}`;
}

/** What must be equal for two splits to be the same before their hashes are compared: the protocol and its settings. */
function splitSettings(rec: IdentificationFile): string {
  const s = rec.split;
  // Paths are left out: the same sets copied elsewhere are the same comparisons (the manifest and split hashes decide).
  if (s.protocol === 'gallery-probe') return JSON.stringify(['gallery-probe', s.sets.source, s.sets.splitColumn, s.sets.unknownLabel]);
  return JSON.stringify(['seeded', s.enrol, s.seed, s.unknownShare ?? null, s.fewImages]);
}

function describeIdentify(r: RunFolder & { kind: 'identify' }): string {
  return `run ${idOf(r)} split ${r.record.dataset.name} manifest ${short(r.record.dataset.manifestHash)} (${splitText(r.record)})`;
}

/**
 * Runs are like for like when they scored the same comparisons. Evaluation runs: the same dataset manifest hash,
 * protocol, impostor sampling and pair list (the pairList record's sha256, or every pair for streamed all-pairs).
 * Identification runs: the same manifest hash, split protocol and settings (seeded: enrol, seed, unknown share,
 * few-image rule; gallery/probe sets: their source, split column and unknown label) and split
 * (splitHash over gallery, mated and non-mated probes). A run that does not record what proves it (written by an
 * earlier frw) is not provably comparable with another run and is refused with that reason; the models of one run
 * always are (every model of a run is scored on the run's one comparison set). Pure: reads nothing.
 */
export function likeForLike(runs: readonly RunFolder[]): LikeForLike {
  if (runs.length === 0) return { comparable: false, reason: 'no runs to compare' };
  const [first, ...rest] = runs;
  for (const r of rest) {
    if (r.kind !== first.kind) return { comparable: false, reason: `run ${idOf(first)} is ${first.kind === 'eval' ? 'a verification' : 'an identification'} run, run ${idOf(r)} ${r.kind === 'eval' ? 'a verification' : 'an identification'} run: not the same comparisons` };
  }
  return first.kind === 'eval' ? evalRuns(runs as Array<RunFolder & { kind: 'eval' }>) : identifyRuns(runs as Array<RunFolder & { kind: 'identify' }>);
}

function evalRuns(runs: Array<RunFolder & { kind: 'eval' }>): LikeForLike {
  const [a] = runs;
  const ra = a.record;
  const refuse = (b: RunFolder & { kind: 'eval' }, why = 'not the same comparisons'): LikeForLike => ({ comparable: false, reason: `${describeEval(a)}, ${describeEval(b)}: ${why}` });
  for (const b of runs.slice(1)) {
    const rb = b.record;
    if (ra.dataset.manifestHash !== rb.dataset.manifestHash || ra.protocol !== rb.protocol) return refuse(b);
    if (JSON.stringify(ra.impostorSampling) !== JSON.stringify(rb.impostorSampling)) return refuse(b, 'different impostor samples, not the same comparisons');
    for (const r of [a, b]) {
      if (!r.record.pairList) return { comparable: false, reason: `run ${idOf(r)} was written by an earlier frw that did not record its pair list (run.json has no pairList): its comparisons cannot be proven the same as run ${idOf(r === a ? b : a)}'s; rerun it to compare across runs` };
    }
    const [pa, pb] = [ra.pairList!, rb.pairList!];
    if (pa.kind !== pb.kind || (pa.kind === 'listed' && pb.kind === 'listed' && pa.sha256 !== pb.sha256)) {
      const h = (p: typeof pa) => (p.kind === 'listed' ? `pair list sha256 ${short(p.sha256)} (${p.count.toLocaleString('en')} comparisons)` : 'every pair');
      return refuse(b, `${h(pa)} against ${h(pb)}: not the same comparisons`);
    }
  }
  const p = ra.pairList;
  const list = !p ? 'the run\'s one comparison set' : p.kind === 'listed' ? `pair list sha256 ${short(p.sha256)} (${p.count.toLocaleString('en')} comparisons)` : 'every pair of the manifest';
  return { comparable: true, kind: 'eval', basis: `${runs.length === 1 ? 'one run' : `${runs.length} runs`}: ${ra.protocol}${sampling(ra)} on ${ra.dataset.name} manifest ${short(ra.dataset.manifestHash)}, ${list}` };
}

function identifyRuns(runs: Array<RunFolder & { kind: 'identify' }>): LikeForLike {
  const [a] = runs;
  const ra = a.record;
  for (const b of runs.slice(1)) {
    const rb = b.record;
    const refuse = (why: string): LikeForLike => ({ comparable: false, reason: `${describeIdentify(a)}, ${describeIdentify(b)}: ${why}` });
    if (ra.dataset.manifestHash !== rb.dataset.manifestHash || splitSettings(ra) !== splitSettings(rb)) return refuse('not the same gallery and probes');
    for (const r of [a, b]) {
      if (!r.record.splitHash) return { comparable: false, reason: `run ${idOf(r)} was written by an earlier frw that did not record its split's hash (identification.json has no splitHash): its gallery and probes cannot be proven the same as run ${idOf(r === a ? b : a)}'s; rerun it to compare across runs` };
    }
    if (ra.splitHash !== rb.splitHash) return refuse(`split sha256 ${short(ra.splitHash)} against ${short(rb.splitHash)}: not the same gallery and probes`);
  }
  return { comparable: true, kind: 'identify', basis: `${runs.length === 1 ? 'one run' : `${runs.length} runs`}: ${ra.dataset.name} manifest ${short(ra.dataset.manifestHash)}, ${splitText(ra)}, split sha256 ${short(ra.splitHash)}` };
}

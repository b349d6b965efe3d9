import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { likeForLike } from '../../runs/like-for-like.js';
import { pairListRecord, splitHashOf } from '../../runs/comparisons.js';
import type { RunFolder } from '../../runs/read.js';
import type { ComparisonSet } from '../../experiments/protocols.js';

const H = (c: string) => c.repeat(64);

/** An evaluation run folder as readRunFolder returns it, with only what the check reads filled in. */
function evalRun(id: string, over: { manifestHash?: string; protocol?: string; pairList?: unknown; impostorSampling?: unknown; dataset?: string } = {}): RunFolder {
  const record = {
    dataset: { name: over.dataset ?? 'lfw-mini', manifestHash: over.manifestHash ?? H('a') },
    protocol: over.protocol ?? 'pairs',
    impostorSampling: over.impostorSampling ?? null,
    ...('pairList' in over ? (over.pairList === undefined ? {} : { pairList: over.pairList }) : { pairList: { kind: 'listed', sha256: H('1'), count: 120, method: 'm' } }),
  };
  return { kind: 'eval', dir: `/ws/runs/${id}`, record, metrics: null } as unknown as RunFolder;
}

function identifyRun(id: string, over: { seed?: number; enrol?: number; splitHash?: string | null; manifestHash?: string; split?: unknown } = {}): RunFolder {
  const record = {
    dataset: { name: 'lfw-mini', manifestHash: over.manifestHash ?? H('a') },
    split: over.split ?? { enrol: over.enrol ?? 1, seed: over.seed ?? 1, fewImages: 'unknown' },
    ...(over.splitHash === null ? {} : { splitHash: over.splitHash ?? H('5') }),
    results: [],
  };
  return { kind: 'identify', dir: `/ws/runs/${id}`, record } as unknown as RunFolder;
}

const refused = (runs: RunFolder[], pattern: RegExp) => {
  const r = likeForLike(runs);
  assert.equal(r.comparable, false);
  assert.match((r as { reason: string }).reason, pattern);
};

test('evaluation runs line up only on the same manifest, protocol, sample and pair list', () => {
  const ok = likeForLike([evalRun('a'), evalRun('b')]);
  assert.deepEqual(ok.comparable && [ok.kind, ok.basis], ['eval', '2 runs: pairs on lfw-mini manifest aaaaaaaa…, pair list sha256 11111111… (120 comparisons)']);
  refused([evalRun('a'), evalRun('b', { protocol: 'all-pairs', manifestHash: H('3') })], /^run a scored pairs on lfw-mini manifest aaaaaaaa…, run b scored all-pairs on lfw-mini manifest 33333333…: not the same comparisons$/);
  refused([evalRun('a'), evalRun('b', { dataset: 'five-celeb', manifestHash: H('6') })], /run b scored pairs on five-celeb manifest 66666666…: not the same comparisons/);
  refused([evalRun('a', { protocol: 'all-pairs', impostorSampling: { sampled: 500, population: 9000, seed: 1 } }), evalRun('b', { protocol: 'all-pairs', impostorSampling: { sampled: 500, population: 9000, seed: 2 } })], /500 impostor pairs sampled with seed 2.*different impostor samples/);
  refused([evalRun('a'), evalRun('b', { pairList: { kind: 'listed', sha256: H('2'), count: 120, method: 'm' } })], /pair list sha256 11111111… \(120 comparisons\) against pair list sha256 22222222…/);
  // A run written before frw recorded its pair list cannot be proven the same: refused with that reason.
  refused([evalRun('a'), evalRun('old', { pairList: undefined })], /run old was written by an earlier frw that did not record its pair list.*run a's/);
  // Its models still line up among themselves: one run is one comparison set.
  assert.equal(likeForLike([evalRun('old', { pairList: undefined })]).comparable, true);
  // Streamed all-pairs: every pair of the same manifest.
  const every = { kind: 'every-pair', method: 'm' };
  assert.equal(likeForLike([evalRun('a', { protocol: 'all-pairs', pairList: every }), evalRun('b', { protocol: 'all-pairs', pairList: every })]).comparable, true);
});

test('identification runs line up only on the same manifest, split settings and split', () => {
  assert.equal(likeForLike([identifyRun('a'), identifyRun('b')]).comparable, true);
  refused([identifyRun('a'), identifyRun('b', { seed: 2 })], /seed 1.*seed 2.*not the same gallery and probes/);
  refused([identifyRun('a'), identifyRun('b', { enrol: 2 })], /enrol 1.*enrol 2/);
  refused([identifyRun('a'), identifyRun('b', { splitHash: H('7') })], /split sha256 55555555… against 77777777…/);
  refused([identifyRun('a'), identifyRun('old', { splitHash: null })], /run old was written by an earlier frw that did not record its split's hash/);
  refused([evalRun('a'), identifyRun('b')], /run a is a verification run, run b an identification run/);
});

test('gallery/probe runs line up with each other on the same sets, never with a seeded split', () => {
  const given = (over: { source?: string; unknownLabel?: string | null; gallery?: string } = {}) => ({
    protocol: 'gallery-probe',
    sets: { source: over.source ?? 'two-csv', gallery: over.gallery ?? '/data/aivivn/train.csv', probe: '/data/aivivn/test.csv', splitColumn: null, unknownLabel: over.unknownLabel === undefined ? '1000' : over.unknownLabel },
    rule: 'r',
  });
  const ok = likeForLike([identifyRun('a', { split: given() }), identifyRun('b', { split: given({ gallery: '/elsewhere/train.csv' }) })]);
  assert.deepEqual(ok.comparable && ok.basis, '2 runs: lfw-mini manifest aaaaaaaa…, gallery/probe sets (two-csv), unknown label 1000, split sha256 55555555…');
  refused([identifyRun('a', { split: given() }), identifyRun('b')], /gallery\/probe sets \(two-csv\).*enrol 1, seed 1.*not the same gallery and probes/);
  refused([identifyRun('a', { split: given() }), identifyRun('b', { split: given({ unknownLabel: null }) })], /unknown label 1000.*unknown label none/);
  refused([identifyRun('a', { split: given() }), identifyRun('b', { split: given(), splitHash: H('7') })], /split sha256 55555555… against 77777777…/);
});

test('the pair-list hash is hashlib.sha256 of one line per comparison; the split hash covers gallery and probes only', () => {
  const set: ComparisonSet = { protocol: 'lfw-10fold', a: Int32Array.from([0, 2]), b: Int32Array.from([1, 0]), same: Uint8Array.from([1, 0]), fold: Int8Array.from([0, 3]), impostorSampling: null };
  const paths = ['A/A_0001.jpg', 'A/A_0002.jpg', 'B, Jr/B_0001.jpg'];
  const r = pairListRecord(set, paths);
  const py = spawnSync('/usr/bin/python3', ['-c', 'import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest())', 'A/A_0001.jpg\tA/A_0002.jpg\t1\t0\nB, Jr/B_0001.jpg\tA/A_0001.jpg\t0\t3\n'], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  assert.deepEqual(r.kind === 'listed' && [r.sha256, r.count], [py.stdout.trim(), 2]);
  // Another order, another list.
  const swapped = pairListRecord({ ...set, a: Int32Array.from([2, 0]), b: Int32Array.from([0, 1]), same: Uint8Array.from([0, 1]), fold: Int8Array.from([3, 0]) }, paths);
  assert.notEqual(swapped.kind === 'listed' && swapped.sha256, r.kind === 'listed' && r.sha256);
  assert.equal(pairListRecord(null, paths).kind, 'every-pair');
  const split = { gallery: [{ identity: 'A', images: ['A/A_0001.jpg'] }], mated: [{ image: 'A/A_0002.jpg', identity: 'A' }], nonMated: ['B/B_0001.jpg'] };
  assert.equal(splitHashOf({ ...split, droppedDuplicates: 3 } as typeof split), splitHashOf(split), 'bookkeeping fields do not change the split');
  assert.notEqual(splitHashOf({ ...split, nonMated: [] }), splitHashOf(split));
});

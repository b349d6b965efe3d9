import { test } from 'vitest';
import assert from 'node:assert/strict';
import { applyDecisions, checkDecision, parseDecisions, withDecision, type Decision, type DecisionsFile } from '../../../experiments/audit/decisions.js';
import { throwsFrw } from '../metrics/helpers.js';
import { photos, synthManifest } from './fixtures.js';

const at = '2025-01-01T00:00:00.000Z';
const file = (decisions: Array<Omit<Decision, 'decidedAt'>>): DecisionsFile => ({ format: 'frw-audit-decisions', version: 1, dataset: 'synth', decisions: decisions.map((d) => ({ ...d, decidedAt: at })) });

const manifest = synthManifest(
  [...photos('A', 3), ...photos('B', 2), ...photos('C', 2), ...photos('D', 1), { path: 'unknown/u.jpg', label: 'unknown', person: 'A', unknown: true }],
  [
    { a: 'A/A_0001.jpg', b: 'A/A_0002.jpg', same: true },
    { a: 'A/A_0001.jpg', b: 'B/B_0001.jpg', same: false },
    { a: 'B/B_0001.jpg', b: 'C/C_0001.jpg', same: false },
    { a: 'A/A_0003.jpg', b: 'D/D_0001.jpg', same: false },
  ],
);

test('checkDecision: each kind takes its own target; mistakes are BAD_INPUT naming what is wrong', () => {
  assert.deepEqual(checkDecision({ kind: 'mislabelled', image: 'A/A_0001.jpg', label: 'B', decidedAt: at }), { kind: 'mislabelled', image: 'A/A_0001.jpg', label: 'B', decidedAt: at });
  assert.deepEqual(checkDecision({ kind: 'same-person', identities: ['A', 'B'], decidedAt: at }).identities, ['A', 'B']);
  throwsFrw(() => checkDecision({ kind: 'merge', image: 'x' }), 'BAD_INPUT', /kind must be one of mislabelled, duplicate, exclude, same-person, keep/);
  throwsFrw(() => checkDecision({ kind: 'same-person', image: 'A/A_0001.jpg' }), 'BAD_INPUT', /same-person names two identities/);
  throwsFrw(() => checkDecision({ kind: 'exclude', identities: ['A', 'B'] }), 'BAD_INPUT', /exclude names an image/);
  throwsFrw(() => checkDecision({ kind: 'same-person', identities: ['A', 'A'] }), 'BAD_INPUT', /two different names/);
  throwsFrw(() => checkDecision({ kind: 'keep', image: 'x', identities: ['A', 'B'] }), 'BAD_INPUT', /either an image or two identities/);
  throwsFrw(() => checkDecision({ kind: 'duplicate', image: 'x', label: 'B' }), 'BAD_INPUT', /label goes with mislabelled only/);
  throwsFrw(() => parseDecisions({ decisions: [] }, 'd.json'), 'BAD_INPUT', /not an frw audit decisions file/);
  throwsFrw(() => parseDecisions({ ...file([]), decisions: [{ kind: 'keep' }] }, 'd.json'), 'BAD_INPUT', /d\.json decision 1: give either/);
});

test('withDecision: a later decision on the same target replaces the earlier one (identity pairs in either order)', () => {
  let f = file([]);
  f = withDecision(f, { kind: 'keep', image: 'A/A_0001.jpg', decidedAt: at });
  f = withDecision(f, { kind: 'same-person', identities: ['A', 'B'], decidedAt: at });
  f = withDecision(f, { kind: 'exclude', image: 'A/A_0001.jpg', decidedAt: at });
  f = withDecision(f, { kind: 'keep', identities: ['B', 'A'], decidedAt: at });
  assert.deepEqual(f.decisions.map((d) => d.kind), ['exclude', 'keep']);
});

test('applyDecisions: exclusions, relabels and merges (chains too) reshape the manifest; pairs follow; the hash changes', () => {
  const { manifest: m, applied } = applyDecisions(manifest, file([
    { kind: 'exclude', image: 'A/A_0002.jpg' },
    { kind: 'duplicate', image: 'C/C_0002.jpg' },
    { kind: 'mislabelled', image: 'A/A_0003.jpg' },
    { kind: 'mislabelled', image: 'unknown/u.jpg', label: 'A' },
    { kind: 'same-person', identities: ['B', 'C'] },
    { kind: 'same-person', identities: ['A', 'B'] },
    { kind: 'keep', image: 'D/D_0001.jpg' },
  ]));
  assert.deepEqual(m.images.map((r) => [r.path, r.identity, r.unknown]), [
    ['A/A_0001.jpg', 'A', false],
    ['B/B_0001.jpg', 'A', false],
    ['B/B_0002.jpg', 'A', false],
    ['C/C_0001.jpg', 'A', false],
    ['D/D_0001.jpg', 'D', false],
    ['unknown/u.jpg', 'A', false],
  ]);
  assert.deepEqual(m.identities.map((s) => [s.name, s.images]), [['A', 5], ['D', 1]]);
  // The pair naming an excluded image is gone; B–C and A–B are genuine now; A_0003–D was excluded with A_0003.
  assert.deepEqual(m.pairs, [{ a: 'A/A_0001.jpg', b: 'B/B_0001.jpg', same: true }, { a: 'B/B_0001.jpg', b: 'C/C_0001.jpg', same: true }]);
  assert.deepEqual(applied, { decisions: 7, excludedImages: 3, relabelledImages: 4, mergedIdentities: 2, kept: 1, droppedPairs: 2, sourceManifestHash: manifest.hash });
  assert.notEqual(m.hash, manifest.hash);
  // No decisions: the same content, the same hash.
  assert.equal(applyDecisions(manifest, file([])).manifest.hash, manifest.hash);
});

test('applyDecisions refuses decisions made on other data', () => {
  throwsFrw(() => applyDecisions(manifest, file([{ kind: 'exclude', image: 'Z/Z_0001.jpg' }, { kind: 'same-person', identities: ['A', 'Q'] }])), 'BAD_INPUT', /synth lacks: image Z\/Z_0001\.jpg, identity Q/);
});

test('a hand-edited file keeps one decision per target, the last; labels must name known people; other data is refused', () => {
  const parsed = parseDecisions(file([{ kind: 'exclude', image: 'A/A_0001.jpg' }, { kind: 'keep', image: 'A/A_0001.jpg' }]), 'd.json');
  assert.deepEqual(parsed.decisions.map((d) => d.kind), ['keep']);
  assert.equal(applyDecisions(manifest, parsed).applied.excludedImages, 0, 'the later keep wins');
  // A typo in a relabel would otherwise make a new identity quietly.
  throwsFrw(() => applyDecisions(manifest, file([{ kind: 'mislabelled', image: 'A/A_0001.jpg', label: 'Bee' }])), 'BAD_INPUT', /identity Bee \(the label of A\/A_0001\.jpg\)/);
  throwsFrw(() => applyDecisions(manifest, { ...file([]), dataset: 'other' }), 'BAD_INPUT', /made for dataset other, not synth/);
  // A pair-only set names no identities: decisions about labels would turn its genuine pairs into impostor ones.
  throwsFrw(() => applyDecisions({ ...manifest, kind: 'pairs' }, file([{ kind: 'keep', image: 'A/A_0001.jpg' }])), 'BAD_INPUT', /names no identities/);
});

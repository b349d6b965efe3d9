import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { resolveConfig } from '../../core/config.js';
import { sha256Hex } from '../../core/hash.js';
import { decisionsPath, manifestWithDecisions, readDecisionsFile, recordDecisions } from '../../usecases/audit-decisions.js';
import { photos, synthManifest } from '../experiments/audit/fixtures.js';
import { throwsFrw } from '../experiments/metrics/helpers.js';
import { tempWorkspace } from '../helpers/shared.js';

test('the decisions file lives under the workspace, per dataset, with unsafe characters replaced', () => {
  const cfg = resolveConfig({ workspace: '/w', dataRoot: '/d', modelRoot: '/m', threads: 1 });
  assert.equal(decisionsPath(cfg, 'lfw'), path.join('/w', 'audit', 'lfw', 'decisions.json'));
  assert.equal(decisionsPath(cfg, '../my set'), path.join('/w', 'audit', '.._my_set', 'decisions.json'));
});

test('recordDecisions: added and replaced under the lock, written whole; the sha256 is of the bytes a run reads', () => {
  const file = path.join(tempWorkspace(), 'audit', 'synth', 'decisions.json');
  recordDecisions(file, 'synth', [{ kind: 'exclude', image: 'A/A_0001.jpg' }, { kind: 'same-person', identities: ['A', 'B'] }]);
  const { content, sha256 } = recordDecisions(file, 'synth', [{ kind: 'keep', image: 'A/A_0001.jpg', note: 'fine after all' }]);
  assert.deepEqual(content.decisions.map((d) => [d.kind, d.image ?? d.identities]), [['keep', 'A/A_0001.jpg'], ['same-person', ['A', 'B']]]);
  assert.equal(sha256, sha256Hex(fs.readFileSync(file)));
  assert.equal(readDecisionsFile(file).sha256, sha256);
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['decisions.json'], 'no lock or temp file left behind');
  throwsFrw(() => recordDecisions(file, 'other', [{ kind: 'keep', image: 'x' }]), 'CONFLICT', /holds decisions for synth, not other/);
  throwsFrw(() => recordDecisions(file, 'synth', [{ kind: 'same-person', image: 'x' }]), 'BAD_INPUT', /same-person names two identities/);
  assert.equal(readDecisionsFile(file).sha256, sha256, 'a refused decision leaves the file as it was');
  // Another process holding the lock: refused, not interleaved (a live pid: this test's parent).
  fs.writeFileSync(`${file}.lock`, String(process.ppid));
  throwsFrw(() => recordDecisions(file, 'synth', [{ kind: 'keep', image: 'y' }]), 'CONFLICT', /in use by process/);
  fs.rmSync(`${file}.lock`);
});

test('manifestWithDecisions: the decided manifest and what run.json records; unreadable or foreign files are refused', () => {
  const dir = tempWorkspace();
  const file = path.join(dir, 'decisions.json');
  const manifest = synthManifest([...photos('A', 2), ...photos('B', 2)]);
  recordDecisions(file, 'synth', [{ kind: 'same-person', identities: ['A', 'B'] }]);
  const r = manifestWithDecisions(manifest, file);
  assert.deepEqual(r.manifest.identities.map((s) => [s.name, s.images]), [['A', 4]]);
  assert.deepEqual({ file: r.record.file, sha256: r.record.sha256, merged: r.record.applied.mergedIdentities }, { file, sha256: sha256Hex(fs.readFileSync(file)), merged: 1 });
  throwsFrw(() => manifestWithDecisions(manifest, path.join(dir, 'none.json')), 'NOT_FOUND', /cannot be read: ENOENT/);
  fs.writeFileSync(path.join(dir, 'bad.json'), '{"format":');
  throwsFrw(() => manifestWithDecisions(manifest, path.join(dir, 'bad.json')), 'BAD_INPUT', /not valid JSON/);
});

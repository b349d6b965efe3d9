import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sha256Hex } from '../../core/hash.js';
import type { AuditRecord } from '../../runs/audit-folder.js';
import { runCli } from '../helpers/cli.js';
import { PLANTED, plantedLfwMini } from '../helpers/planted.js';
import { DATA_ROOT, MODEL_ROOT, tempWorkspace } from '../helpers/shared.js';

const ws = tempWorkspace('frw-audit-');
const roots = ['--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws];
const data = path.join(ws, 'planted');
const auditDir = path.join(ws, 'audit-out');
let record: AuditRecord;

test('frw audit finds each problem planted in a copy of lfw-mini, and shows the effect of acting on them', async () => {
  await plantedLfwMini(data);
  const r = await runCli(['audit', '--dataset', data, '--model', 'mobilefacenet', '--bootstrap', '20', '--out', auditDir, '--json', ...roots]);
  assert.equal(r.code, 0, r.stderr);
  record = JSON.parse(r.stdout);
  const f = record.findings;
  // An image moved under a wrong name: the first outlier, flagged, nearer to its true identity than to its label.
  const moved = f.outliers.ranked[0];
  assert.equal(moved.image.path, PLANTED.moved.to);
  assert.ok(moved.flagged && moved.closerToOther);
  assert.equal(moved.nearest?.name, PLANTED.moved.trueIdentity);
  // One identity split into two names: the first identity pair, and flagged.
  const pair = f.identityPairs.known.ranked[0];
  assert.deepEqual([pair.a.name, pair.b.name].sort(), [PLANTED.split.alias, PLANTED.split.identity]);
  assert.ok(pair.flagged);
  // The same file under two names: an exact duplicate group under different labels (and the copy an outlier).
  const dup = f.duplicates.exact.find((d) => d.images.some((i) => i.path === PLANTED.copied.copy));
  assert.deepEqual(dup?.images.map((i) => i.path), [PLANTED.copied.original, PLANTED.copied.copy]);
  assert.ok(dup?.differentLabels);
  assert.ok(f.outliers.ranked.some((o) => o.flagged && o.image.path === PLANTED.copied.copy));
  // A no-face image: junk, a failure to acquire with the cache's reason.
  const junk = f.junk.rows.find((j) => j.image.path === PLANTED.noFace);
  assert.deepEqual([junk?.reasons, junk?.failure?.reason], [['failure-to-acquire'], 'no-face']);
  // An unknown who is an enrolled person: the first unknown match, flagged.
  const u = f.identityPairs.unknown.ranked[0];
  assert.deepEqual([u.a.name, u.b.name].sort(), [PLANTED.unknownKnown.identity, PLANTED.unknownKnown.to]);
  assert.ok(u.flagged && u.unknownSide);
  // Nothing else in lfw-mini is flagged as an outlier or a pair: the flags are the planted ones.
  assert.equal(f.outliers.flaggedCount, 2);
  assert.equal(f.identityPairs.known.flaggedCount, 1);

  // Before/after: two ordinary run folders of the same protocol; the after run records the decisions file it applied.
  const e = record.effect!;
  assert.equal(e.protocol, 'pairs');
  const before = JSON.parse(fs.readFileSync(path.join(e.before.run, 'run.json'), 'utf8'));
  const after = JSON.parse(fs.readFileSync(path.join(e.after!.run, 'run.json'), 'utf8'));
  assert.equal(before.decisions, undefined);
  assert.equal(after.decisions.sha256, sha256Hex(fs.readFileSync(e.suggestedFile)));
  assert.equal(after.decisions.applied.sourceManifestHash, before.dataset.manifestHash);
  assert.notEqual(after.dataset.manifestHash, before.dataset.manifestHash);
  assert.ok(e.applied.excludedImages >= 2 && e.applied.mergedIdentities === 1 && e.applied.relabelledImages >= 4, JSON.stringify(e.applied));
  assert.ok(e.after!.metrics.counts.genuine < e.before.metrics.counts.genuine, 'pairs naming the excluded images are gone');
  for (const side of [e.before, e.after!]) {
    assert.ok(side.metrics.eer.bootstrap, 'EER with its bootstrap interval');
    assert.ok(side.metrics.tarAtFmr.some((t) => t.measurable && t.interval));
  }
  // The report: self-contained, the faces inline, the before/after table.
  const html = fs.readFileSync(path.join(auditDir, 'report.html'), 'utf8');
  assert.ok(!/<script[^>]+src=/i.test(html), 'no external scripts');
  assert.ok((html.match(/src="data:image\/jpeg;base64,/g) ?? []).length >= 10, 'thumbnails inline');
  assert.match(html, /Effect on the numbers: pairs, before and after/);
  assert.ok(html.includes(PLANTED.noFace));
  // A second audit into the same folder is refused.
  const again = await runCli(['audit', '--dataset', data, '--model', 'mobilefacenet', '--no-effect', '--out', auditDir, ...roots]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds an audit/);
});

test('decisions are data: frw audit decide records them beside the workspace; frw eval --decisions applies them and records the file', async () => {
  const decide = (...args: string[]) => runCli(['audit', 'decide', ...args, '--dataset', data, ...roots]);
  for (const args of [
    ['same-person', '--identities', `${PLANTED.split.identity},${PLANTED.split.alias}`],
    ['mislabelled', '--image', PLANTED.moved.to, '--label', PLANTED.moved.trueIdentity],
    ['keep', '--image', PLANTED.copied.copy],
    ['duplicate', '--image', PLANTED.copied.copy, '--note', 'a copy of Bill Frist'],
    ['exclude', '--image', PLANTED.noFace],
  ]) {
    const r = await decide(...args);
    assert.equal(r.code, 0, r.stderr);
  }
  const file = path.join(ws, 'audit', 'planted', 'decisions.json');
  const content = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.deepEqual(content.decisions.map((d: { kind: string }) => d.kind), ['same-person', 'mislabelled', 'duplicate', 'exclude'], 'the later decision on the copy replaced "keep"');
  assert.ok(!fs.readdirSync(data).includes('decisions.json'), 'the dataset itself is never written');
  // Mistakes are caught where they are made.
  const typo = await decide('exclude', '--image', 'Nobody/Nobody_0001.jpg');
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /has no image Nobody\/Nobody_0001\.jpg/);
  assert.equal((await decide('merge', '--image', PLANTED.noFace)).code, 2);

  const out = path.join(ws, 'eval-decided');
  const r = await runCli(['eval', '--dataset', data, '--models', 'mobilefacenet,fr-feature', '--protocol', 'all-pairs', '--bootstrap', '0', '--decisions', file, '--out', out, ...roots]);
  assert.equal(r.code, 0, r.stderr);
  // frw compare rebuilds the decided data the run scored, so its paired bootstrap has the run's identities.
  const cmp = await runCli(['compare', out, '--replicates', '100', '--json', ...roots]);
  assert.equal(cmp.code, 0, cmp.stderr);
  const eer = JSON.parse(cmp.stdout).paired[0].deltas.find((d: { statistic: string }) => d.statistic === 'EER');
  assert.ok(eer.result, `ΔEER computed on the decided data: ${eer.unavailable}`);
  const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
  assert.equal(run.decisions.sha256, sha256Hex(fs.readFileSync(file)));
  assert.equal(run.decisions.file, file);
  assert.deepEqual([run.decisions.applied.excludedImages, run.decisions.applied.relabelledImages, run.decisions.applied.mergedIdentities], [2, 4, 1]);
  assert.equal(run.dataset.images, record.dataset.images - 2);
  assert.equal(run.dataset.identities, record.dataset.identities - 1, 'the alias is merged away');
  // frw identify applies them the same way and records the same file.
  const idOut = path.join(ws, 'identify-decided');
  const id = await runCli(['identify', '--dataset', data, '--models', 'mobilefacenet', '--bootstrap', '0', '--decisions', file, '--out', idOut, ...roots]);
  assert.equal(id.code, 0, id.stderr);
  const idRun = JSON.parse(fs.readFileSync(path.join(idOut, 'identification.json'), 'utf8'));
  assert.equal(idRun.decisions.sha256, run.decisions.sha256);
  assert.equal(idRun.dataset.manifestHash, run.dataset.manifestHash, 'the same decided data as the eval run');
  // The same decisions do not fit other data: refused, naming the dataset they were made for.
  const other = await runCli(['eval', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--decisions', file, '--out', path.join(ws, 'eval-other'), ...roots]);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /these decisions were made for dataset planted, not lfw-mini/);
  // A later audit marks what is decided.
  const second = await runCli(['audit', '--dataset', data, '--model', 'mobilefacenet', '--no-effect', '--out', path.join(ws, 'audit-2'), '--json', ...roots]);
  assert.equal(second.code, 0, second.stderr);
  const rec2: AuditRecord = JSON.parse(second.stdout);
  assert.equal(rec2.userDecisions?.sha256, run.decisions.sha256);
  assert.equal(rec2.effect, null);
  assert.match(fs.readFileSync(path.join(ws, 'audit-2', 'report.html'), 'utf8'), /<b>same-person<\/b>/);
});

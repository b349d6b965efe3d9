import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { DATA_ROOT, MODEL_ROOT, lfwImage, tempWorkspace } from '../helpers/shared.js';

const roots = (ws: string) => ['--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws];

/**
 * An aivivn-style set built from real LFW faces: images/ with opaque names, train.csv `image,label`, enrolled
 * people labelled 0..n-1, strangers labelled 1000 (their own label, as in the challenge's test set).
 */
function writeAivivnSet(root: string): { enrolled: number; strangers: number; images: number } {
  const known = ['Aaron_Peirsol', 'Adrien_Brody', 'Alejandro_Toledo', 'Ali_Naimi', 'Amelia_Vega', 'Ana_Guevara'];
  const strangers = ['Aaron_Eckhart', 'Abdel_Madi_Shabneh', 'Abdul_Rahman', 'Afton_Smith', 'Ahmad_Jbarah'];
  fs.mkdirSync(path.join(root, 'images'), { recursive: true });
  const rows = ['image,label'];
  let n = 0;
  const add = (file: string, label: string) => {
    const name = `${(n++).toString(16).padStart(6, '0')}.jpg`;
    fs.copyFileSync(file, path.join(root, 'images', name));
    rows.push(`${name},${label}`);
  };
  known.forEach((p, label) => {
    for (let i = 1; i <= 4; i++) add(lfwImage(p, i), String(label));
  });
  for (const p of strangers) add(lfwImage(p, 1), '1000');
  fs.writeFileSync(path.join(root, 'train.csv'), rows.join('\n') + '\n');
  return { enrolled: known.length, strangers: strangers.length, images: n };
}

test('an aivivn-style CSV set works end to end: raw, mean, median and quality templates on one split', async () => {
  const ws = tempWorkspace();
  const root = path.join(ws, 'aivivn');
  const set = writeAivivnSet(root);
  const out = path.join(ws, 'id');
  const r = await runCli(['identify', '--dataset', path.join(root, 'train.csv'), '--unknown-label', '1000', '--models', 'mobilefacenet', '--enrol', '2', '--modes', 'raw,mean,median,quality', '--bootstrap', '20', '--fpir', '0.5,0.1', '--out', out, '--json', ...roots(ws)]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.split.enrolledIdentities, set.enrolled);
  assert.equal(j.split.nonMatedProbes, set.strangers);
  assert.equal(j.split.matedProbes, set.enrolled * 2);
  assert.deepEqual(j.results.map((x: { mode: string }) => x.mode), ['raw', 'mean', 'median', 'quality']);
  for (const res of j.results) {
    assert.equal(res.probes.nonMated, set.strangers, 'FPIR is over the strangers only');
    assert.equal(res.probes.mated, set.enrolled * 2, 'FNIR is over the mated probes only');
    assert.equal(res.gallery.vectors, res.mode === 'raw' ? set.enrolled * 2 : set.enrolled);
    assert.ok(res.rank1.estimate >= 0.9, `${res.mode}: rank-1 ${res.rank1.estimate}`);
    assert.equal(res.cmc.accuracy.length, 20);
    const p = res.fnirAtFpir.find((x: { targetFpir: number }) => x.targetFpir === 0.1);
    assert.equal(p.measurable, false, '0.1 × 5 strangers < 1');
    assert.equal(p.smallestMeasurableFpir, 1 / set.strangers);
  }
  const split = JSON.parse(fs.readFileSync(path.join(out, 'split.json'), 'utf8'));
  const enrolled = new Set(split.gallery.flatMap((g: { images: string[] }) => g.images));
  for (const m of split.mated) assert.ok(!enrolled.has(m.image), 'no enrolment image is a probe');
  for (const u of split.nonMated) assert.ok(!enrolled.has(u));
  const probes = fs.readFileSync(path.join(out, 'probes-mobilefacenet-mean.csv'), 'utf8').trim().split('\n');
  assert.equal(probes.length, 1 + set.enrolled * 2 + set.strangers);
  assert.ok(fs.readFileSync(path.join(out, 'report.html'), 'utf8').includes('Raw vs aggregated templates'));

  // The same split searched with FAISS gives the same decisions as the exact reference.
  const outFaiss = path.join(ws, 'id-faiss');
  const f = await runCli(['identify', '--dataset', path.join(root, 'train.csv'), '--unknown-label', '1000', '--models', 'mobilefacenet', '--enrol', '2', '--modes', 'raw,mean', '--bootstrap', '0', '--fpir', '0.5', '--index', 'flat', '--out', outFaiss, ...roots(ws)]);
  assert.equal(f.code, 0, f.stderr);
  for (const mode of ['raw', 'mean']) {
    const cols = (dir: string) => fs.readFileSync(path.join(dir, `probes-mobilefacenet-${mode}.csv`), 'utf8').trim().split('\n').map((l) => { const c = l.split(','); return [c[0], c[1], c[2], c[4]].join(','); });
    assert.deepEqual(cols(outFaiss), cols(out), `${mode}: FAISS and exact agree probe by probe`);
  }
});

test('a dataset without strangers is refused with a way out', async () => {
  const ws = tempWorkspace();
  const r = await runCli(['identify', '--dataset', 'five-celeb', '--models', 'mobilefacenet', '--out', path.join(ws, 'x'), ...roots(ws)]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--unknown-share/);
});

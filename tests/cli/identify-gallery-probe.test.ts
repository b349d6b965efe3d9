import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseCsv } from '../../datasets/csv.js';
import { runCli } from '../helpers/cli.js';
import { DATA_ROOT, MODEL_ROOT, lfwImage, tempWorkspace } from '../helpers/shared.js';

const roots = (ws: string) => ['--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws, '--threads', '2'];
const U = '1000';

/**
 * The aivivn challenge's layout from real LFW faces: train/ + train.csv (enrolled people, labels 0..5, 1 to 3 images
 * each), test/ + test.csv (two other images of each, five single-image strangers under the unknown label 1000, two
 * images of a person labelled 6 whom train.csv never lists, and one row naming a file that is not there).
 */
function writeAivivnSets(root: string) {
  const known: Array<[string, number]> = [['Aaron_Peirsol', 2], ['Adrien_Brody', 3], ['Alejandro_Toledo', 1], ['Ali_Naimi', 2], ['Amelia_Vega', 1], ['Ana_Guevara', 2]];
  const strangers = ['Aaron_Eckhart', 'Abdel_Madi_Shabneh', 'Abdul_Rahman', 'Afton_Smith', 'Ahmad_Jbarah'];
  for (const d of ['train', 'test']) fs.mkdirSync(path.join(root, d), { recursive: true });
  const rows = { train: ['image,label'], test: ['image,label'] };
  let n = 0;
  const add = (set: 'train' | 'test', file: string, label: string) => {
    const name = `${(n++).toString(16).padStart(6, '0')}.jpg`;
    fs.copyFileSync(file, path.join(root, set, name));
    rows[set].push(`${name},${label}`);
  };
  known.forEach(([person, k], label) => {
    for (let i = 1; i <= k + 2; i++) add(i <= k ? 'train' : 'test', lfwImage(person, i), String(label));
  });
  for (const p of strangers) add('test', lfwImage(p, 1), U);
  for (let i = 1; i <= 2; i++) add('test', lfwImage('Ai_Sugiyama', i), '6');
  rows.test.push('not-there.jpg,3');
  fs.writeFileSync(path.join(root, 'train.csv'), rows.train.join('\n') + '\n');
  fs.writeFileSync(path.join(root, 'test.csv'), rows.test.join('\n') + '\n');
  return { enrolled: known.length, mated: known.length * 2, nonMated: strangers.length + 2, trainLabels: new Set(known.map((_, i) => String(i))) };
}

const csvRows = (file: string) => parseCsv(fs.readFileSync(file, 'utf8')).slice(1).map((r) => r.fields);

test('aivivn-style train.csv and test.csv: gallery/probe identification and challenge scoring end to end', async () => {
  const ws = tempWorkspace();
  const root = path.join(ws, 'aivivn');
  const set = writeAivivnSets(root);
  const out = path.join(ws, 'run');
  const r = await runCli(['identify', '--gallery', path.join(root, 'train.csv'), '--probe', path.join(root, 'test.csv'), '--unknown-label', U, '--models', 'mobilefacenet', '--modes', 'raw,mean', '--bootstrap', '20', '--fpir', '0.2', '--out', out, '--json', ...roots(ws)]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.split.protocol, 'gallery-probe');
  assert.equal(j.split.sets.source, 'two-csv');
  assert.equal(j.split.enrolledIdentities, set.enrolled);
  assert.equal(j.split.matedProbes, set.mated);
  assert.equal(j.split.nonMatedProbes, set.nonMated);
  assert.deepEqual(j.split.unknownSources, { datasetUnknowns: 5, heldOutShare: 0, fewImages: 0, notInGallery: 1 });
  assert.deepEqual(j.dataset.problems, { 'missing-file': 1 }, 'the missing test image is a counted problem');
  assert.equal(typeof j.splitHash, 'string');

  const testRows = csvRows(path.join(root, 'test.csv')).filter(([image]) => image !== 'not-there.jpg');
  const truth = new Map(testRows.map(([image, label]) => [image, set.trainLabels.has(label) ? label : U]));
  for (const res of j.results) {
    assert.equal(res.probes.mated, set.mated);
    assert.equal(res.probes.nonMated, set.nonMated);
    assert.equal(res.gallery.vectors, res.mode === 'raw' ? 11 : 6);
    assert.equal(res.challenge.unknownLabel, U);
    assert.deepEqual(res.challenge.results.map((c: { rule: string }) => c.rule), ['threshold', 'distance-and-probability']);
    for (const c of res.challenge.results) {
      // One row per test image that exists, five labels each, in the challenge's `image,label` format.
      const file = path.join(out, c.submission);
      assert.equal(fs.readFileSync(file, 'utf8').split('\n')[0], 'image,label');
      const sub = csvRows(file);
      assert.deepEqual(sub.map(([image]) => image).sort(), [...truth.keys()].sort());
      for (const [, labels] of sub) assert.equal(labels.split(' ').length, 5, labels);
      // MAP@5, top-1 and unknown precision/recall recomputed from the file itself.
      let map = 0;
      let top1 = 0;
      let predictedU = 0;
      let correctU = 0;
      for (const [image, labels] of sub) {
        const l = labels.split(' ');
        const rank = l.indexOf(truth.get(image)!) + 1;
        map += rank > 0 ? 1 / rank : 0;
        if (rank === 1) top1++;
        if (l[0] === U) predictedU++;
        if (l[0] === U && truth.get(image) === U) correctU++;
      }
      assert.ok(Math.abs(c.scores.map5 - map / sub.length) < 1e-12, `${res.mode} ${c.rule}: MAP@5 ${c.scores.map5} vs ${map / sub.length}`);
      assert.equal(c.scores.top1, top1 / sub.length);
      assert.deepEqual(c.scores.unknown, { predicted: predictedU, actual: set.nonMated, correct: correctU, precision: predictedU ? correctU / predictedU : null, recall: correctU / set.nonMated });
    }
    // The threshold rule's first label is the open-set decision at t: its top-1 count follows from the probe outcomes.
    const thr = res.challenge.results[0];
    const probes = csvRows(path.join(out, `probes-mobilefacenet-${res.mode}.csv`));
    const right = probes.filter(([, mate, , score, rank]) => (mate ? rank === '1' && Number(score) >= thr.threshold : Number(score) < thr.threshold)).length;
    assert.equal(thr.scores.top1 * testRows.length, right);
    assert.equal(thr.threshold, res.fnirAtFpir[0].threshold, 'the threshold of the first measurable FPIR target');
    // The strangers who got in at that threshold, grouped, are the FPIR's false positives.
    assert.equal(res.strangers.accepted, res.fnirAtFpir[0].falsePositives);
    assert.equal(res.strangers.byMatched.reduce((a: number, g: { accepted: number }) => a + g.accepted, 0), res.strangers.accepted);
  }
  const split = JSON.parse(fs.readFileSync(path.join(out, 'split.json'), 'utf8'));
  assert.equal(split.protocol.kind, 'gallery-probe');
  assert.match(split.protocol.rule, /identities absent from the gallery/);
  assert.deepEqual(split.leaks, []);
  assert.equal(split.gallery.flatMap((g: { images: string[] }) => g.images).length, 11, 'every gallery image enrolled');
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.ok(html.includes('Challenge scoring') && html.includes('By whom they were taken for') && html.includes('By their true identity'));
  assert.ok(html.includes('data:image/jpeg;base64,'), 'thumbnails inlined');
});

test('two folders (gallery/ and probe/): strangers from unknown/ and absent identities; a byte copy is reported as a leak', async () => {
  const ws = tempWorkspace();
  const root = path.join(ws, 'vnceleb');
  const put = (rel: string, from: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.copyFileSync(from, path.join(root, rel));
  };
  put('gallery/Abdullah_Gul/1.jpg', lfwImage('Abdullah_Gul', 1));
  put('gallery/Abdullah_Gul/2.jpg', lfwImage('Abdullah_Gul', 2));
  put('gallery/Ai_Sugiyama/1.jpg', lfwImage('Ai_Sugiyama', 1));
  put('gallery/Amelia_Vega/1.jpg', lfwImage('Amelia_Vega', 1));
  put('probe/Abdullah_Gul/3.jpg', lfwImage('Abdullah_Gul', 3));
  put('probe/Ai_Sugiyama/2.jpg', lfwImage('Ai_Sugiyama', 2));
  put('probe/Amelia_Vega/2.jpg', lfwImage('Amelia_Vega', 2));
  put('probe/Amelia_Vega/copy.jpg', lfwImage('Abdullah_Gul', 1)); // the bytes of a gallery image, under another name and label
  put('probe/unknown/a.jpg', lfwImage('Aaron_Eckhart', 1));
  put('probe/unknown/b.jpg', lfwImage('Abdul_Rahman', 1));
  put('probe/Ana_Guevara/1.jpg', lfwImage('Ana_Guevara', 1)); // nobody enrolled her
  const out = path.join(ws, 'run');
  const r = await runCli(['identify', '--gallery', path.join(root, 'gallery'), '--probe', path.join(root, 'probe'), '--models', 'mobilefacenet', '--modes', 'mean', '--bootstrap', '0', '--fpir', '0.5', '--out', out, ...roots(ws)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /3 enrolled, 3 mated probes, 3 non-mated .*1 leaked probe\(s\) left out .*probe\/Amelia_Vega\/copy\.jpg = gallery\/Abdullah_Gul\/1\.jpg/);
  const j = JSON.parse(fs.readFileSync(path.join(out, 'identification.json'), 'utf8'));
  assert.equal(j.split.sets.source, 'two-folders');
  assert.equal(j.split.droppedDuplicates, 1);
  assert.deepEqual(j.split.unknownSources, { datasetUnknowns: 2, heldOutShare: 0, fewImages: 0, notInGallery: 1 });
  assert.equal(j.results[0].challenge, null, 'no unknown label: no challenge scoring');
  const split = JSON.parse(fs.readFileSync(path.join(out, 'split.json'), 'utf8'));
  assert.deepEqual(split.leaks, [{ probe: 'probe/Amelia_Vega/copy.jpg', probeIdentity: 'Amelia_Vega', gallery: 'gallery/Abdullah_Gul/1.jpg', galleryIdentity: 'Abdullah_Gul' }]);
  const scored = csvRows(path.join(out, 'probes-mobilefacenet-mean.csv')).map(([image]) => image);
  assert.ok(!scored.includes('probe/Amelia_Vega/copy.jpg'), 'the leaked probe is never scored');
  assert.equal(scored.length, 6);
  assert.equal(fs.readdirSync(out).filter((f) => f.startsWith('submission-')).length, 0);
});

test('bad inputs: a probe set without a gallery, seeded flags on given sets, an unknown label the gallery uses', async () => {
  const ws = tempWorkspace();
  const root = path.join(ws, 'aivivn');
  writeAivivnSets(root);
  const noGallery = await runCli(['identify', '--probe', path.join(root, 'test.csv'), '--unknown-label', U, '--models', 'mobilefacenet', ...roots(ws)]);
  assert.equal(noGallery.code, 2);
  assert.match(noGallery.stderr, /no gallery set: a probe set \(.*test\.csv\) is searched against a gallery of enrolled people; give the gallery set too \(--gallery/);
  const sets = ['--gallery', path.join(root, 'train.csv'), '--probe', path.join(root, 'test.csv')];
  const enrol = await runCli(['identify', ...sets, '--enrol', '2', '--models', 'mobilefacenet', ...roots(ws)]);
  assert.equal(enrol.code, 2);
  assert.match(enrol.stderr, /--enrol applies to a seeded split/);
  const both = await runCli(['identify', ...sets, '--dataset', 'lfw-mini', '--models', 'mobilefacenet', ...roots(ws)]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /not both/);
  const enrolledLabel = await runCli(['identify', ...sets, '--unknown-label', '0', '--models', 'mobilefacenet', '--fpir', '0.5', '--bootstrap', '0', '--out', path.join(ws, 'x'), ...roots(ws)]);
  assert.equal(enrolledLabel.code, 2);
  assert.match(enrolledLabel.stderr, /the gallery set .*train\.csv lists 2 image\(s\) under the unknown label "0" or an unknown\/ folder .*strangers cannot be enrolled/);
});

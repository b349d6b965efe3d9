import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import sharp from 'sharp';
import { openDataset } from '../../datasets/resolve.js';
import { decodeImage, DEFAULT_DECODE } from '../../datasets/image.js';
import type { DatasetManifest } from '../../datasets/manifest.js';
import { locateFace } from '../../models/acquire.js';
import { loadModel } from '../../models/load.js';
import { getDetectorCard, getEmbedderCard } from '../../models/registry.js';
import { embedDataset, type EmbedSummary } from '../../pipeline/embed-dataset.js';
import { EmbeddingCache, type CacheEntry } from '../../pipeline/embedding-cache.js';
import { FaceCache, faceCacheDir, type FaceRecord } from '../../pipeline/face-cache.js';
import { logFile } from '../../pipeline/record-log.js';
import type { PipelineSpec } from '../../pipeline/spec.js';
import { DATA_ROOT, lfwImage, testConfig, tempWorkspace } from '../helpers/shared.js';

/**
 * The face cache end to end on real LFW images and real hostile files: a second embedder detects nothing and gets
 * the very bits it gets without the cache; failures to acquire come back from it with their reasons; a damaged log
 * costs only its damaged records; a cache locked by another live run never fails a run.
 */
const cfg = testConfig();
const none = path.join(cfg.workspace, 'models');
const spec = (model: string): PipelineSpec => ({ embedder: getEmbedderCard(model, none), detector: getDetectorCard('scrfd-2.5g', none), policy: 'central-largest', decode: DEFAULT_DECODE, flip: false });
const FR = 'fr-feature';
const MFN = 'mobilefacenet';

/**
 * 30 lfw-mini faces (the first identities), two LFW photos enlarged past the working size (so they are detected
 * downscaled: working and original pixels differ), a group photo, and three files that cannot give a face.
 */
async function writeSet(root: string): Promise<DatasetManifest> {
  const mini = path.join(DATA_ROOT, 'lfw-mini');
  let n = 0;
  for (const person of fs.readdirSync(mini).sort()) {
    if (!fs.statSync(path.join(mini, person)).isDirectory()) continue;
    fs.mkdirSync(path.join(root, person), { recursive: true });
    for (const f of fs.readdirSync(path.join(mini, person))) if (n++ < 30) fs.copyFileSync(path.join(mini, person, f), path.join(root, person, f));
    if (n >= 30) break;
  }
  fs.mkdirSync(path.join(root, 'large'), { recursive: true });
  await sharp(fs.readFileSync(lfwImage('Colin_Powell'))).resize(1811, 1811).jpeg({ quality: 90 }).toFile(path.join(root, 'large', 'powell-1811.jpg'));
  await sharp(fs.readFileSync(lfwImage('Serena_Williams', 2))).resize(2033, 1700, { fit: 'fill' }).jpeg({ quality: 90 }).toFile(path.join(root, 'large', 'serena-2033.jpg'));
  const bad = path.join(root, 'awkward');
  fs.mkdirSync(bad, { recursive: true });
  const jpg = fs.readFileSync(lfwImage('Aaron_Eckhart'));
  fs.writeFileSync(path.join(bad, 'text.jpg'), 'name,label\nthis is not an image\n');
  fs.writeFileSync(path.join(bad, 'truncated.jpg'), jpg.subarray(0, Math.floor(jpg.length / 2)));
  const noise = Buffer.alloc(300 * 200 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 251;
  await sharp(noise, { raw: { width: 300, height: 200, channels: 3 } }).png().toFile(path.join(bad, 'noface.png'));
  // Two real faces side by side: several faces, one chosen by the policy.
  const other = await sharp(fs.readFileSync(lfwImage('Serena_Williams'))).resize(160, 160).toBuffer();
  await sharp({ create: { width: 560, height: 300, channels: 3, background: { r: 20, g: 20, b: 20 } } })
    .composite([{ input: jpg, left: 155, top: 25 }, { input: other, left: 400, top: 0 }])
    .jpeg()
    .toFile(path.join(bad, 'group.jpg'));
  return openDataset(root, cfg, {});
}

const manifest = await writeSet(path.join(cfg.workspace, 'set'));
const IMAGES = manifest.images.length;
const DECODABLE = IMAGES - 2; // text.jpg and truncated.jpg never reach the detector

interface Run {
  summary: EmbedSummary;
  entries: Map<string, CacheEntry>;
}

async function run(model: string, embeddingsRoot: string, facesRoot?: string | null): Promise<Run> {
  const summary = await embedDataset(manifest, spec(model), { embeddingsRoot, facesRoot, modelRoot: cfg.modelRoot, workers: 2 });
  assert.equal(summary.pending, 0);
  return { summary, entries: EmbeddingCache.openForRead(summary.cacheDir).entries };
}

/** Same entries bit for bit: vectors compared as bytes, faces and failures (reason and message) as values. */
function assertSameBits(a: Run, b: Run, what: string): void {
  assert.equal(a.entries.size, b.entries.size, what);
  for (const [sha, x] of a.entries) {
    const y = b.entries.get(sha)!;
    assert.equal(y.status, x.status, what);
    if (x.status === 'ok' && y.status === 'ok') {
      assert.ok(Buffer.from(x.vector.buffer).equals(Buffer.from(y.vector.buffer)), `${what}: the vectors of ${sha.slice(0, 8)} differ`);
      assert.deepEqual(y.face, x.face, what);
    } else assert.deepEqual(y, x, what);
  }
  assert.deepEqual(b.summary.fta, a.summary.fta, `${what}: failures to acquire, by reason`);
  assert.equal(b.summary.multiFace, a.summary.multiFace, what);
  assert.equal(b.summary.embedded, a.summary.embedded, what);
}

const wsA = tempWorkspace();
const wsB = tempWorkspace();
const embA = path.join(wsA, 'cache', 'embeddings');
const embB = path.join(wsB, 'cache', 'embeddings');
const runs: Record<string, Run> = {};

test('a second embedder detects nothing and gets the bits it gets without the face cache (fr-feature and mobilefacenet)', async () => {
  // Workspace A: fr-feature detects and fills the face cache, then mobilefacenet takes its faces from it.
  runs.frDetected = await run(FR, embA);
  runs.mfnFromCache = await run(MFN, embA);
  // Workspace B, the other way round; and mobilefacenet once more with the face cache disabled.
  runs.mfnDetected = await run(MFN, embB);
  runs.frFromCache = await run(FR, embB);
  runs.mfnOff = await run(MFN, path.join(wsB, 'no-faces', 'embeddings'), null);

  const faces = (r: Run) => r.summary.faceCache!;
  assert.equal(faces(runs.frDetected).dir, path.join(wsA, 'cache', 'faces', path.basename(faces(runs.frDetected).dir!)), 'beside the embedding cache');
  for (const r of [runs.frDetected, runs.mfnDetected]) assert.deepEqual([faces(r).mode, faces(r).detected, faces(r).fromCache], ['read-write', DECODABLE, 0]);
  for (const r of [runs.mfnFromCache, runs.frFromCache]) {
    assert.equal(faces(r).detected, 0, 'the second model runs the detector on no image');
    assert.equal(faces(r).fromCache, IMAGES, 'every image, failures included, answered by the face cache');
    assert.equal(faces(r).mode, 'read-only', 'nothing to add: no lock taken');
    assert.equal(r.summary.computed, IMAGES);
  }
  assert.deepEqual([faces(runs.mfnOff).mode, faces(runs.mfnOff).dir, faces(runs.mfnOff).detected], ['off', null, DECODABLE]);
  assert.equal(faces(runs.frDetected).dir, faces(runs.mfnFromCache).dir, 'one face cache for every embedder');

  assertSameBits(runs.mfnDetected, runs.mfnFromCache, 'mobilefacenet through the face cache');
  assertSameBits(runs.mfnOff, runs.mfnFromCache, 'mobilefacenet through the face cache vs disabled');
  assertSameBits(runs.frDetected, runs.frFromCache, 'fr-feature through the face cache');
  // Alignment warps the working image with the detector's own landmarks; those are kept exactly, not recovered by
  // rescaling the reported (original-pixel) ones, which differs in the last bits for downscaled images like these.
  const detector = await loadModel(spec(MFN).detector!, { modelRoot: cfg.modelRoot, threads: 1 });
  const kept = FaceCache.openForRead(faces(runs.frDetected).dir!);
  let inexact = 0;
  for (const name of ['large/powell-1811.jpg', 'large/serena-2033.jpg']) {
    const dec = await decodeImage(path.join(manifest.root, name), DEFAULT_DECODE);
    const fresh = await locateFace(dec, detector, { detect: {}, policy: 'central-largest' });
    const record = kept.get(manifest.images.find((i) => i.path === name)!.sha256);
    assert.ok(record?.status === 'ok' && dec.scale < 1);
    assert.deepEqual(record.workingLandmarks, fresh.workingLandmarks, `${name}: the working-resolution landmarks, bit for bit`);
    assert.deepEqual(record.detection, fresh.detection);
    const rescaled = fresh.detection.landmarks.map((p) => ({ x: p.x * dec.scale, y: p.y * dec.scale }));
    if (rescaled.some((p, k) => p.x !== fresh.workingLandmarks[k].x || p.y !== fresh.workingLandmarks[k].y)) inexact++;
  }
  assert.ok(inexact > 0, 'rescaling would not give the working landmarks back for these images');
  await detector.session.dispose();
  const multi = [...FaceCache.openForRead(faces(runs.frDetected).dir!).entries.values()].filter((r) => r.status === 'ok' && r.faceCount > 1).length;
  assert.ok(multi >= 1, 'the group photo at least');
  for (const r of Object.values(runs)) assert.equal(r.summary.multiFace, multi, `${r.summary.model}: several faces, as the detector found them`);
});

test('failures to acquire are served from the face cache with the same reasons, messages and counts', async () => {
  const expected = { 'not-an-image': 1, truncated: 1, 'no-face': 1 };
  for (const r of Object.values(runs)) {
    assert.deepEqual(Object.fromEntries(Object.entries(r.summary.fta.byReason).filter(([, n]) => n > 0)), expected, r.summary.model);
    assert.equal(r.summary.fta.count, 3);
  }
  const cache = FaceCache.openForRead(runs.frDetected.summary.faceCache!.dir!);
  const byName = (name: string) => cache.get(manifest.images.find((i) => i.path.endsWith(`/${name}`))!.sha256);
  assert.deepEqual([byName('text.jpg'), byName('truncated.jpg'), byName('noface.png')].map((r) => r?.status === 'failed' && r.reason), ['not-an-image', 'truncated', 'no-face']);
  const group = byName('group.jpg');
  assert.ok(group?.status === 'ok' && group.faceCount === 2 && group.workingLandmarks.length === 5);
  assert.equal(cache.entries.size, IMAGES, 'one record per image, none per model');

  // The awkward files alone, for a model that has not seen them: every outcome comes from the face cache.
  const root = path.join(tempWorkspace(), 'awkward-only');
  fs.cpSync(path.join(manifest.root, 'awkward'), path.join(root, 'awkward'), { recursive: true });
  const awkward = await openDataset(root, cfg, {});
  const s = await embedDataset(awkward, spec(MFN), { embeddingsRoot: path.join(tempWorkspace(), 'embeddings'), facesRoot: path.dirname(runs.frDetected.summary.faceCache!.dir!), modelRoot: cfg.modelRoot, workers: 1 });
  assert.deepEqual([s.faceCache!.fromCache, s.faceCache!.detected], [4, 0], 'no detector run, not even for the image with no face');
  assert.deepEqual(s.fta, runs.mfnOff.summary.fta, 'the same counts, by reason');
  const entries = EmbeddingCache.openForRead(s.cacheDir).entries;
  for (const [sha, e] of entries) if (e.status === 'failed') assert.deepEqual(e, runs.mfnOff.entries.get(sha), 'the same reason and message as without the face cache');
});

/** Byte offsets of the records of a log, read from their length fields. */
function recordOffsets(buf: Buffer): number[] {
  const at: number[] = [];
  for (let o = 0; o < buf.length; o += buf.readUInt32LE(o + 4)) at.push(o);
  return at;
}

test('a torn last record and a damaged one cost those two images only: they are detected again, the log is repaired', async () => {
  const facesRoot = path.join(tempWorkspace(), 'faces');
  const s = spec(MFN);
  fs.cpSync(runs.frDetected.summary.faceCache!.dir!, faceCacheDir(facesRoot, s)!, { recursive: true });
  const file = logFile(faceCacheDir(facesRoot, s)!);
  const buf = fs.readFileSync(file);
  const at = recordOffsets(buf);
  assert.equal(at.length, IMAGES);
  buf[at[3] + 50] ^= 0xff; // a flipped byte inside the fourth record
  fs.writeFileSync(file, buf.subarray(0, buf.length - 9)); // and a crash in the middle of the last write
  const left = FaceCache.openForRead(path.dirname(file)).entries;
  assert.equal(left.size, IMAGES - 2);
  const lost = [...allFaces().values()].filter((r) => !left.has(r.sha256));

  const again = await run(MFN, path.join(tempWorkspace(), 'embeddings'), facesRoot);
  assert.equal(again.summary.faceCache!.detected, lost.filter(detectorRan).length, 'the damaged and the torn record: found again');
  assert.equal(again.summary.faceCache!.fromCache, IMAGES - 2);
  assertSameBits(runs.mfnOff, again, 'mobilefacenet after the repair');
  const back = FaceCache.openForRead(path.dirname(file));
  assert.equal(back.entries.size, IMAGES, 'both images kept again');
  assert.equal(back.repairedBytes, 0, 'only intact records are left');
});

test('a face cache locked by another live run: the run succeeds, reads what is there, detects the rest without writing', async () => {
  const facesRoot = path.join(tempWorkspace(), 'faces');
  const s = spec(MFN);
  const dir = faceCacheDir(facesRoot, s)!;
  // Half the images detected by an earlier run.
  fs.mkdirSync(dir, { recursive: true });
  const source = fs.readFileSync(logFile(runs.frDetected.summary.faceCache!.dir!));
  const at = recordOffsets(source);
  fs.writeFileSync(logFile(dir), source.subarray(0, at[20]));
  const before = fs.readFileSync(logFile(dir));
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  try {
    fs.writeFileSync(path.join(dir, 'entries.lock'), String(child.pid));
    const locked = await run(MFN, path.join(tempWorkspace(), 'embeddings'), facesRoot);
    assert.equal(locked.summary.faceCache!.mode, 'locked');
    assert.match(locked.summary.faceCache!.note!, new RegExp(`process ${child.pid}`));
    assert.equal(locked.summary.faceCache!.fromCache, 20);
    const kept = FaceCache.openForRead(dir).entries;
    assert.equal(locked.summary.faceCache!.detected, [...allFaces().values()].filter((r) => !kept.has(r.sha256) && detectorRan(r)).length);
    assertSameBits(runs.mfnOff, locked, 'mobilefacenet beside a locked face cache');
    assert.ok(fs.readFileSync(logFile(dir)).equals(before), 'the locked cache is not written');
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  // Two runs of different models at once in this process: one writes the face cache, the other reads beside it.
  const root = tempWorkspace();
  const [fr, mfn] = await Promise.all([run(FR, path.join(root, 'e1'), facesRoot), run(MFN, path.join(root, 'e2'), facesRoot)]);
  assert.deepEqual([fr.summary.faceCache!.mode, mfn.summary.faceCache!.mode].sort(), ['locked', 'read-write'], 'the dead owner\'s lock was taken over');
  assertSameBits(runs.frDetected, fr, 'fr-feature beside another run');
  assertSameBits(runs.mfnOff, mfn, 'mobilefacenet beside another run');
  assert.equal(FaceCache.openForRead(dir).entries.size, IMAGES);
});

/** Every image's record, as the first run wrote them. */
const allFaces = () => FaceCache.openForRead(runs.frDetected.summary.faceCache!.dir!).entries;

/** Whether finding this record took a detector run (undecodable images are cached too, but never reach it). */
const detectorRan = (r: FaceRecord) => r.status === 'ok' || r.reason === 'no-face' || r.reason === 'multiple-faces';

test('a file unreadable now (moved after the manifest was built) is a failure of this run, never kept in the face cache', async () => {
  const ws = tempWorkspace();
  const root = path.join(ws, 'set');
  fs.mkdirSync(path.join(root, 'Colin_Powell'), { recursive: true });
  for (const n of [1, 2]) fs.copyFileSync(lfwImage('Colin_Powell', n), path.join(root, 'Colin_Powell', `${n}.jpg`));
  const manifest = await openDataset(root, cfg, {});
  fs.renameSync(path.join(root, 'Colin_Powell', '2.jpg'), path.join(ws, 'moved.jpg'));
  const deps = { embeddingsRoot: path.join(ws, 'cache', 'embeddings'), modelRoot: cfg.modelRoot, workers: 1 };
  const s = await embedDataset(manifest, spec(FR), deps);
  assert.deepEqual([s.embedded, s.fta.byReason.unreadable], [1, 1], 'counted for this model, as before');
  const kept = FaceCache.openForRead(faceCacheDir(path.join(ws, 'cache', 'faces'), spec(FR))!);
  assert.deepEqual(manifest.images.map((i) => kept.get(i.sha256!)?.status ?? 'absent'), ['ok', 'absent'], 'the face found kept; the missing file not');
});

import { test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { latestTiming, readTimings, recordTiming, timingOf } from '../../pipeline/embed-timing.js';
import { tempWorkspace } from '../helpers/shared.js';

test('a session that embedded faces is measured per face and kept beside the cache; none measured is null, never a guess', () => {
  const dir = tempWorkspace();
  assert.equal(latestTiming(dir), null, 'a cache without timing.json (computed by an earlier frw): not measured');
  assert.equal(timingOf({ embedMs: 0, faces: 0, runtime: null }, { workers: 2, images: 5, wallSeconds: 1, dataset: 'd' }), null, 'no face embedded: nothing was timed');
  const t = timingOf({ embedMs: 250, faces: 100, runtime: 'onnxruntime-node' }, { workers: 2, images: 120, wallSeconds: 6, dataset: 'lfw-mini' })!;
  assert.deepEqual([t.msPerFace, t.faces, t.wallMsPerImage, t.workers, t.sessionThreads, t.runtime, t.dataset], [2.5, 100, 50, 2, 1, 'onnxruntime-node', 'lfw-mini']);
  assert.ok(t.machine.cores > 0 && t.machine.cpu.length > 0 && !Number.isNaN(Date.parse(t.measuredAt)));
  recordTiming(dir, t);
  const later = { ...t, msPerFace: 3, measuredAt: new Date(Date.parse(t.measuredAt) + 1000).toISOString() };
  recordTiming(dir, later);
  assert.deepEqual(readTimings(dir).map((x) => x.msPerFace), [2.5, 3], 'every session kept, oldest first');
  assert.deepEqual(latestTiming(dir), later);
  fs.writeFileSync(path.join(dir, 'timing.json'), '{ not json');
  assert.equal(latestTiming(dir), null, 'an unreadable record is "not measured"');
});

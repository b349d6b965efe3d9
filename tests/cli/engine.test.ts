import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { DATA_ROOT, MODEL_ROOT, lfwImage, tempWorkspace } from '../helpers/shared.js';

const ws = tempWorkspace();
const roots = ['--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws];
const config = path.join(ws, 'deploy.json');
let pgServer: TestPostgres;

beforeAll(async () => {
  const run = path.join(ws, 'run');
  const ev = await runCli(['eval', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--bootstrap', '0', '--out', run, ...roots]);
  assert.equal(ev.code, 0, ev.stderr);
  const ex = await runCli(['export-config', '--run', run, '--model', 'mobilefacenet', '--rule', 'eer', '--out', config, ...roots]);
  assert.equal(ex.code, 0, ex.stderr);
  pgServer = await startPostgres();
});
afterAll(async () => {
  await pgServer?.stop();
});

/** `frw engine <args>` with the test's config and roots; exit 0 expected unless `fails`. */
async function engine(args: string[], fails = false) {
  const r = await runCli(['engine', ...args, '--config', config, ...roots]);
  assert.equal(r.code === 0, !fails, `${args.join(' ')}: ${r.stderr}`);
  return r;
}

test('frw engine keeps its gallery in the workspace (not the current folder): enrol, then check in from a fresh process', async () => {
  await engine(['enroll', 'Serena Williams', lfwImage('Serena_Williams', 1)]);
  assert.ok(fs.existsSync(path.join(ws, 'engine', 'gallery.db')), 'the gallery is <workspace>/engine/gallery.db');
  const checkin = await engine(['checkin', lfwImage('Serena_Williams', 2)]);
  assert.equal(JSON.parse(checkin.stdout).identity, 'Serena Williams');
});

test('a gallery migrates SQLite → PostgreSQL → SQLite with export-gallery / import-gallery, vector for vector; a bad file writes nothing', async () => {
  await engine(['enroll', 'Colin Powell', lfwImage('Colin_Powell', 1), lfwImage('Colin_Powell', 3)]);
  const fromSqlite = path.join(ws, 'from-sqlite.json');
  await engine(['export-gallery', fromSqlite]);
  const pgUrl = await pgServer.newDatabase();
  const imported = await engine(['import-gallery', fromSqlite, '--gallery', pgUrl]);
  assert.deepEqual(JSON.parse(imported.stdout), { identities: 2, vectors: 3 });
  const fromPg = path.join(ws, 'from-pg.json');
  await engine(['export-gallery', fromPg, '--gallery', pgUrl]);
  assert.deepEqual(JSON.parse(fs.readFileSync(fromPg, 'utf8')), JSON.parse(fs.readFileSync(fromSqlite, 'utf8')));
  assert.equal(JSON.parse((await engine(['identify', lfwImage('Colin_Powell', 2), '--gallery', pgUrl])).stdout).identity, 'Colin Powell');

  const back = path.join(ws, 'back.db');
  await engine(['import-gallery', fromPg, '--gallery', back]);
  const fromBack = path.join(ws, 'from-back.json');
  await engine(['export-gallery', fromBack, '--gallery', back]);
  assert.deepEqual(JSON.parse(fs.readFileSync(fromBack, 'utf8')), JSON.parse(fs.readFileSync(fromSqlite, 'utf8')));

  // A file with one bad vector is refused whole: the first identity is not written either.
  const g = JSON.parse(fs.readFileSync(fromSqlite, 'utf8'));
  g.identities[0].name = 'Someone New';
  g.identities[1].vectors[0].vector = g.identities[1].vectors[0].vector.slice(0, 40);
  const bad = path.join(ws, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify(g));
  const refused = await engine(['import-gallery', bad, '--gallery', pgUrl], true);
  assert.match(refused.stderr, /a vector of Serena Williams is 30 bytes; the model gives 128 float32 values/);
  const people = JSON.parse((await engine(['identities', '--gallery', pgUrl])).stdout).map((i: { name: string }) => i.name);
  assert.deepEqual(people, ['Colin Powell', 'Serena Williams']);
});

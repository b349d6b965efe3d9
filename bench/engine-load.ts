/**
 * Load on the engine's HTTP API over loopback only, bounded in count and time: CLIENTS concurrent clients check in
 * LFW photos for SECONDS while one client keeps enrolling new people; then the server is killed with SIGKILL in
 * the middle of enrolments, restarted, and every acknowledged enrolment must be there.
 *
 *   node --import tsx bench/engine-load.ts [--seconds 60] [--clients 50] [--workers N]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../core/config.js';
import { BENCH_KEY, benchEngine, postPhotos } from './engine-server.js';
import { record } from './results.js';

const arg = (n: string, d: number) => (process.argv.includes(n) ? Number(process.argv[process.argv.indexOf(n) + 1]) : d);
const SECONDS = Math.min(arg('--seconds', 60), 600);
const CLIENTS = Math.min(arg('--clients', 50), 200);
// Embedding workers of the server; absent: serve's default (one per core). --workers 0 embeds on the HTTP thread.
const WORKERS = process.argv.includes('--workers') ? ['--workers', String(arg('--workers', 0))] : [];
const KEY = BENCH_KEY;
const cfg = resolveConfig({}, process.env);
const lfw = path.join(cfg.dataRoot, 'lfw', 'lfw-deepfunneled');
const { ws, base: BASE, start, exited } = await benchEngine('frw-load-');
const startServer = () => start(WORKERS);

const people = fs.readdirSync(lfw).filter((p) => fs.readdirSync(path.join(lfw, p)).length >= 2).sort();
const photo = (p: string, n: number) => fs.readFileSync(path.join(lfw, p, `${p}_${String(n).padStart(4, '0')}.jpg`));
const send = (route: string, fields: Record<string, string>, images: Buffer[]) => postPhotos(BASE, route, fields, images);

let server = await startServer();
for (const p of people.slice(0, 20)) if ((await send('/v1/enroll', { name: p }, [photo(p, 1)])).status !== 201) throw new Error(`enrol ${p} failed`);

const latencies: number[] = [];
let errors = 0;
const acknowledged: string[] = [];
const deadline = Date.now() + SECONDS * 1000;
const client = async (c: number) => {
  for (let i = 0; Date.now() < deadline; i++) {
    const p = people[(c * 7 + i) % 40];
    const t = performance.now();
    try {
      const r = await send('/v1/checkin', {}, [photo(p, 2)]);
      await r.arrayBuffer();
      if (r.status !== 200) errors++;
      else latencies.push(performance.now() - t);
    } catch {
      errors++;
    }
  }
};
const enroller = async () => {
  for (let i = 20; Date.now() < deadline && i < people.length; i++) {
    const r = await send('/v1/enroll', { name: people[i] }, [photo(people[i], 1)]);
    if (r.status === 201) acknowledged.push(people[i]);
    else errors++;
  }
};
await Promise.all([enroller(), ...Array.from({ length: CLIENTS }, (_, c) => client(c))]);

// Crash in the middle of enrolments: fire some, kill -9 after the first acknowledgements, then restart.
const inFlight = people.slice(acknowledged.length + 20, acknowledged.length + 40).map((p) =>
  send('/v1/enroll', { name: p }, [photo(p, 1)]).then((r) => (r.status === 201 ? acknowledged.push(p) : undefined), () => undefined),
);
await new Promise((r) => setTimeout(r, 400));
server.kill('SIGKILL');
await Promise.all(inFlight);
await exited(server);
server = await startServer();
const listed = new Set(((await (await fetch(`${BASE}/v1/identities`, { headers: { 'x-api-key': KEY } })).json()) as { identities: Array<{ name: string }> }).identities.map((i) => i.name));
const lost = acknowledged.filter((p) => !listed.has(p));
server.kill('SIGTERM');
await exited(server);
fs.rmSync(ws, { recursive: true, force: true });

latencies.sort((a, b) => a - b);
const q = (f: number) => latencies[Math.min(latencies.length - 1, Math.floor(f * latencies.length))];
console.log(`\nengine under load: ${CLIENTS} clients checking in for ${SECONDS} s while enrolments continue (loopback, ${os.availableParallelism()} cores)`);
console.log(`check-ins ${latencies.length} (${(latencies.length / SECONDS).toFixed(1)}/s) · p50 ${q(0.5).toFixed(0)} ms · p99 ${q(0.99).toFixed(0)} ms · errors ${errors}`);
console.log(`enrolments acknowledged ${acknowledged.length} · after kill -9 and restart: ${lost.length === 0 ? 'all present' : `LOST ${lost.length}: ${lost.join(', ')}`}`);
record([
  { bench: 'engine-load', name: `check-ins under ${CLIENTS} clients while enrolling (${process.argv.includes('--workers') ? `--workers ${process.argv[process.argv.indexOf('--workers') + 1]}` : 'default workers'})`, unit: 'check-ins/s', ours: latencies.length / SECONDS, peer: null, peerName: '', better: 'higher', note: `p50 ${q(0.5).toFixed(0)} ms, p99 ${q(0.99).toFixed(0)} ms, ${errors} errors; after kill -9: ${lost.length === 0 ? 'every acknowledged enrolment present' : `${lost.length} LOST`}` },
]);
process.exitCode = lost.length === 0 && errors === 0 ? 0 : 1;

/**
 * Two `frw engine serve` replicas on one PostgreSQL gallery against the peer, one replica on the embedded SQLite
 * gallery, on the same machine and photos: check-ins per second over loopback (CLIENTS clients for SECONDS, real
 * LFW photos of enrolled people), and the time from an enrolment acknowledged by replica A to replica B's first
 * answer that recognises the person (two clients asking B continuously, so the figure includes one identify).
 * Workers: the peer gets 2, each replica 1 — the same two cores either way.
 *
 *   node --import tsx bench/engine-replicas.ts [--seconds 20] [--clients 16] [--trials 10]
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { resolveConfig } from '../core/config.js';
import { benchEngine, postPhotos } from './engine-server.js';
import { startPostgres } from './postgres.js';
import { record } from './results.js';

const arg = (n: string, d: number) => (process.argv.includes(n) ? Number(process.argv[process.argv.indexOf(n) + 1]) : d);
const SECONDS = Math.min(arg('--seconds', 20), 300);
const CLIENTS = Math.min(arg('--clients', 16), 100);
const TRIALS = Math.min(arg('--trials', 10), 50);
const cfg = resolveConfig({}, process.env);
const lfw = path.join(cfg.dataRoot, 'lfw', 'lfw-deepfunneled');
const people = fs.readdirSync(lfw).filter((p) => fs.readdirSync(path.join(lfw, p)).length >= 4).sort();
const photo = (p: string, n: number) => new Uint8Array(fs.readFileSync(path.join(lfw, p, `${p}_${String(n).padStart(4, '0')}.jpg`)));
interface Served {
  child: ChildProcess;
  base: string;
}
const post = (s: Served, route: string, fields: Record<string, string>, images: Uint8Array[]) => postPhotos(s.base, route, fields, images);

const { ws, serve: serveOn, exited } = await benchEngine('frw-bench-replicas-');
const serve = (gallery: string, workers: number) => serveOn(gallery, ['--workers', String(workers)]);

/** CLIENTS clients, each sending check-ins round robin to `replicas`, for SECONDS. */
async function load(replicas: Served[], enrolled: string[]) {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let k = 0; performance.now() < end; k++) {
        const p = enrolled[(c + k) % enrolled.length];
        const t = performance.now();
        const r = await post(replicas[(c + k) % replicas.length], '/v1/checkin', {}, [photo(p, 2 + (k % 3))]).catch(() => null);
        if (r?.status === 200) {
          await r.json();
          latencies.push(performance.now() - t);
        } else errors++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / SECONDS, p50: latencies[Math.floor(latencies.length / 2)], p99: latencies[Math.floor(latencies.length * 0.99)], errors };
}

const enrolled = people.slice(0, 20);
const pgServer = await startPostgres();
const children: Served[] = [];
try {
  const peer = await serve(path.join(ws, 'gallery.db'), 2);
  children.push(peer);
  for (const p of enrolled) if ((await post(peer, '/v1/enroll', { name: p }, [photo(p, 1)])).status !== 201) throw new Error(`enrol ${p}`);
  const one = await load([peer], enrolled);
  peer.child.kill('SIGTERM');
  await exited(peer.child);

  const url = await pgServer.newDatabase();
  const [a, b] = await Promise.all([serve(url, 1), serve(url, 1)]);
  children.push(a, b);
  for (const p of enrolled) if ((await post(a, '/v1/enroll', { name: p }, [photo(p, 1)])).status !== 201) throw new Error(`enrol ${p}`);
  const two = await load([a, b], enrolled);

  // Enrolment on A → first recognition on B.
  const delays: number[] = [];
  for (const p of people.slice(20, 20 + TRIALS)) {
    if ((await post(a, '/v1/enroll', { name: p }, [photo(p, 1)])).status !== 201) throw new Error(`enrol ${p}`);
    const t0 = performance.now();
    let seen = 0;
    await Promise.all(
      [2, 3].map(async (n) => {
        while (!seen) {
          const r = (await (await post(b, '/v1/identify', {}, [photo(p, n)])).json()) as { identity: string | null };
          if (r.identity === p && !seen) seen = performance.now() - t0;
          if (performance.now() - t0 > 10_000) throw new Error(`${p} never recognised on B`);
        }
      }),
    );
    delays.push(seen);
  }
  delays.sort((x, y) => x - y);
  const f = (x: number) => x.toFixed(1);
  console.log(`one replica, SQLite, 2 workers:     ${f(one.perSecond)} check-ins/s, p50 ${f(one.p50)} ms, p99 ${f(one.p99)} ms, ${one.errors} errors`);
  console.log(`two replicas, PostgreSQL, 1 worker: ${f(two.perSecond)} check-ins/s, p50 ${f(two.p50)} ms, p99 ${f(two.p99)} ms, ${two.errors} errors`);
  console.log(`ratio two replicas / one: ${(two.perSecond / one.perSecond).toFixed(2)} (${CLIENTS} clients, ${SECONDS} s each)`);
  console.log(`enrolment on A -> first recognition on B, ${TRIALS} trials: median ${f(delays[Math.floor(delays.length / 2)])} ms, max ${f(delays[delays.length - 1])} ms`);
  record([
    { bench: 'engine-replicas', name: 'check-ins, two PostgreSQL replicas (1 worker each)', unit: 'check-ins/s', ours: two.perSecond, peer: one.perSecond, peerName: 'one SQLite engine with 2 workers', better: 'higher', note: `p99 ${f(two.p99)} ms vs ${f(one.p99)} ms; ${two.errors + one.errors} errors` },
    { bench: 'engine-replicas', name: 'enrolment on replica A to first recognition on B (median)', unit: 'ms', ours: delays[Math.floor(delays.length / 2)], peer: null, peerName: '', better: 'lower', note: `max ${f(delays[delays.length - 1])} ms over ${TRIALS} trials` },
  ]);
} finally {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  await pgServer.stop();
}

/**
 * A normal identify while the engine is under hostile uploads (issue 12): 8 clients keep sending a 389-byte SVG
 * that librsvg renders for over a minute (bench/hostile-inputs.ts), declared as image/png. The allowlist refuses each from its first bytes, so
 * the normal request's latency stays that of a quiet engine. Peer run in the same script: the same identifies with
 * no hostile client. Prints both medians and their ratio; exits 1 when the median under attack is over 1 s.
 *
 *   node --import tsx bench/hostile-svg.ts [--rounds 20] [--attackers 8]
 */
import fs from 'node:fs';
import path from 'node:path';
import { resolveConfig } from '../core/config.js';
import { BENCH_KEY, benchEngine } from './engine-server.js';
import { SVG_BOMB } from './hostile-inputs.js';
import { record } from './results.js';

const arg = (n: string, d: number) => (process.argv.includes(n) ? Number(process.argv[process.argv.indexOf(n) + 1]) : d);
const ROUNDS = Math.min(arg('--rounds', 20), 200);
const ATTACKERS = Math.min(arg('--attackers', 8), 64);
const KEY = BENCH_KEY;
const cfg = resolveConfig({}, process.env);
const lfw = path.join(cfg.dataRoot, 'lfw', 'lfw-deepfunneled');
const { ws, base: BASE, start, exited } = await benchEngine('frw-hostile-');
// The attackers reach the decoder, not the rate limit: benchEngine raises the limits.
const server = await start();

const post = (route: string, bytes: Uint8Array, type: string, fields: Record<string, string> = {}) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  f.append('image', new Blob([bytes], { type }), type === 'image/png' ? 'face.png' : 'face.jpg');
  return fetch(`${BASE}${route}`, { method: 'POST', body: f, headers: { 'x-api-key': KEY } });
};
const photo = (p: string, n: number) => new Uint8Array(fs.readFileSync(path.join(lfw, p, `${p}_${String(n).padStart(4, '0')}.jpg`)));
await post('/v1/enroll', photo('Colin_Powell', 1), 'image/jpeg', { name: 'Colin_Powell' });

async function medianIdentifyMs(): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    const r = await post('/v1/identify', photo('Colin_Powell', 2 + (i % 5)), 'image/jpeg');
    if (!r.ok) throw new Error(`identify answered ${r.status}`);
    await r.json();
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)];
}

const quiet = await medianIdentifyMs();
let attacking = true;
let refused = 0;
let other = 0;
const svg = new TextEncoder().encode(SVG_BOMB);
const attackers = Array.from({ length: ATTACKERS }, async () => {
  while (attacking) {
    const r = await post('/v1/identify', svg, 'image/png');
    await r.arrayBuffer();
    if (r.status === 415) refused++;
    else other++;
  }
});
const underAttack = await medianIdentifyMs();
attacking = false;
await Promise.all(attackers);
server.kill('SIGTERM');
await exited(server);
fs.rmSync(ws, { recursive: true, force: true });

const ratio = underAttack / quiet;
console.log(`identify median: quiet ${quiet.toFixed(1)} ms, under ${ATTACKERS} SVG attackers ${underAttack.toFixed(1)} ms (ratio ${ratio.toFixed(2)}); SVGs refused with 415: ${refused}, answered otherwise: ${other}`);
const ok = underAttack < 1000 && other === 0;
record([{ bench: 'hostile-svg', name: `identify median under ${ATTACKERS} SVG-bomb uploaders`, unit: 'ms', ours: underAttack, peer: quiet, peerName: 'the same identifies with no attacker', better: 'lower', target: { kind: 'at-most', value: 1000 }, note: `${refused} SVGs refused with 415, ${other} answered otherwise` }]);
console.log(ok ? 'PASS: a normal identify stays under 1 s and every SVG is refused' : 'FAIL');
process.exit(ok ? 0 : 1);

/**
 * What the engine benches share: a workspace, a deployment config from a real evaluation run (lfw-mini,
 * mobilefacenet, EER threshold), and `frw engine serve` started on a loopback port and waited for. Limits are
 * raised above any bench's load: the benches measure the engine under its clients, not the 429s that guard it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../core/paths.js';
import { buildDeployConfig, finalizeConfig, parseRule } from '../usecases/export-config.js';

export const BENCH_KEY = 'bench-key-0123456789abcdef';

/** POST a form of text fields and JPEG photos (field `image`) to an engine with the benches' key. */
export function postPhotos(base: string, route: string, fields: Record<string, string>, images: Uint8Array[]): Promise<Response> {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const b of images) f.append('image', new Blob([b], { type: 'image/jpeg' }), 'x.jpg');
  return fetch(`${base}${route}`, { method: 'POST', body: f, headers: { 'x-api-key': BENCH_KEY } });
}

export interface BenchEngine {
  ws: string;
  base: string;
  /** Start (or restart) the server with the same config and gallery; resolves once /readyz says ready. */
  start: (extraFlags?: string[]) => Promise<ChildProcess>;
  /** Another server with the same config on a gallery of its own choosing (a file, or postgres:// for replicas). */
  serve: (gallery: string, extraFlags?: string[]) => Promise<{ child: ChildProcess; base: string }>;
  exited: (c: ChildProcess) => Promise<number | null>;
}

export async function benchEngine(prefix: string): Promise<BenchEngine> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const port = 18000 + Math.floor(Math.random() * 2000);
  const base = `http://127.0.0.1:${port}`;
  const frw = (args: string[], stdio: 'pipe' | 'inherit' = 'pipe'): ChildProcess => spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'cli', 'main.ts'), ...args, '--workspace', ws], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', stdio] });
  // A child that has already exited resolves at once: waiting for an 'exit' that fired before would hang, and with
  // nothing else pending Node ends the bench with code 13 (an unsettled top-level await).
  const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.once('exit', r)));
  const run = path.join(ws, 'run');
  if ((await exited(frw(['eval', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--bootstrap', '0', '--out', run]))) !== 0) throw new Error('eval failed');
  const configFile = path.join(ws, 'deploy.json');
  fs.writeFileSync(configFile, JSON.stringify(finalizeConfig(buildDeployConfig({ runDir: run, model: 'mobilefacenet', mode: 'mean', rule: parseRule('eer'), userModelsDir: path.join(ws, 'models') }))));
  const serveOn = async (at: number, gallery: string, extraFlags: string[]) => {
    const child = frw(['engine', 'serve', '--config', configFile, '--gallery', gallery, '--port', String(at), '--api-key', BENCH_KEY, '--max-in-flight', '1000', '--rate', '100000', '--burst', '100000', '--log-level', 'warn', ...extraFlags]);
    const url = `http://127.0.0.1:${at}`;
    for (let i = 0; i < 600; i++) {
      try {
        // /readyz, not /healthz: the server listens (and answers 503) while the model loads.
        if ((await fetch(`${url}/readyz`)).ok) return { child, base: url };
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error('server did not start');
  };
  const gallery = path.join(ws, 'gallery.db');
  let next = port;
  return {
    ws,
    base,
    start: async (extraFlags: string[] = []) => (await serveOn(port, gallery, extraFlags)).child,
    serve: (g: string, extraFlags: string[] = []) => serveOn(++next, g, extraFlags),
    exited,
  };
}

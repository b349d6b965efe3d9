import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { DeployConfig } from '../../engine/deploy-config.js';
import { buildDeployConfig, finalizeConfig, parseRule } from '../../usecases/export-config.js';
import { runCli, startCli } from './cli.js';
import { DATA_ROOT, MODEL_ROOT, lfwImage } from './shared.js';

/** What the engine's tests share: a tuned config from lfw-mini, `frw engine serve` as a child process, forms. */

/** Evaluate lfw-mini with MobileFaceNet in `ws` and export one deployment config per rule (e.g. "eer"). */
export async function miniConfigs(ws: string, rules: string[]): Promise<DeployConfig[]> {
  const run = path.join(ws, 'eval');
  const r = await runCli(['eval', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--bootstrap', '0', '--out', run, '--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws]);
  assert.equal(r.code, 0, r.stderr);
  return rules.map((rule) => finalizeConfig(buildDeployConfig({ runDir: run, model: 'mobilefacenet', mode: 'mean', rule: parseRule(rule), userModelsDir: path.join(ws, 'models') })));
}

export interface Served {
  child: ChildProcess;
  base: string;
  /** Every JSON line the process wrote to stdout so far. */
  lines: Array<Record<string, unknown>>;
  stderr: () => string;
  exited: Promise<{ code: number | null; at: number }>;
  waitLog: (pred: (l: Record<string, unknown>) => boolean, what: string, ms?: number) => Promise<Record<string, unknown>>;
}

/** `frw engine serve <args>` on a free port; resolves once it listens (not yet ready: wait for the "ready" line). */
export async function serveProcess(args: string[], env: NodeJS.ProcessEnv): Promise<Served> {
  const child = startCli(['engine', 'serve', '--port', '0', ...args], env);
  const lines: Array<Record<string, unknown>> = [];
  let buf = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(JSON.parse(line)); // every stdout line is JSON, or this throws and the test fails
      waiters.splice(0).forEach((w) => w());
    }
  });
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; at: number }>((r) => child.on('exit', (code) => r({ code, at: performance.now() })));
  const waitLog = (pred: (l: Record<string, unknown>) => boolean, what: string, ms = 120_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no log line "${what}" within ${ms} ms; stderr: ${err}; stdout: ${JSON.stringify(lines)}`)), ms);
      const check = () => {
        const hit = lines.find(pred);
        if (hit) return (clearTimeout(timer), resolve(hit));
        waiters.push(check);
      };
      check();
    });
  const s: Served = { child, base: '', lines, stderr: () => err, exited, waitLog };
  const listening = await waitLog((l) => String(l.msg).startsWith('listening'), 'listening');
  s.base = `http://127.0.0.1:${listening.port}`;
  return s;
}

export const photo = (name: string, n = 1) => new Uint8Array(fs.readFileSync(lfwImage(name, n)));

export function photoForm(fields: Record<string, string>, images: Uint8Array[]): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const b of images) f.append('image', new Blob([b], { type: 'image/jpeg' }), 'face.jpg');
  return f;
}

// Response bodies are checked field by field; their shape is the API's, not a type we import.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json();

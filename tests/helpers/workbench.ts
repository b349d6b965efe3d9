import assert from 'node:assert/strict';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { FrwConfig } from '../../core/config.js';
import { createWorkbenchApp, type WorkbenchDeps } from '../../workbench/server/app.js';
import { JobRunner } from '../../workbench/server/jobs.js';
import { runCli } from './cli.js';
import { DATA_ROOT, MODEL_ROOT, testConfig } from './shared.js';

export interface RunningWorkbench {
  base: string;
  close: () => Promise<void>;
  // Response bodies are checked field by field in the tests; their shape is the API's.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  get: (route: string) => Promise<{ status: number; body: any; headers: Headers }>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  send: (method: string, route: string, body?: unknown) => Promise<{ status: number; body: any }>;
}

/** The workbench server on a free port of 127.0.0.1, as `frw workbench` serves it (API only unless staticDir). */
export async function startWorkbench(cfg: FrwConfig, extra: Partial<WorkbenchDeps> = {}): Promise<RunningWorkbench> {
  const jobs = extra.jobs ?? new JobRunner(cfg);
  const server: Server = createWorkbenchApp({ cfg, jobs, ...extra }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const parse = async (r: Response) => (r.headers.get('content-type')?.includes('json') ? r.json() : r.text());
  return {
    base,
    close: async () => {
      await jobs.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
    get: async (route) => {
      const r = await fetch(base + route);
      return { status: r.status, body: await parse(r), headers: r.headers };
    },
    send: async (method, route, body) => {
      const init: RequestInit = { method };
      if (body instanceof FormData) init.body = body;
      else if (typeof body === 'string') Object.assign(init, { body, headers: { 'content-type': 'application/json' } });
      else if (body !== undefined) Object.assign(init, { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      const r = await fetch(base + route, init);
      return { status: r.status, body: await parse(r) };
    },
  };
}

/** A workbench over workspace `ws` holding one evaluation run, `runs/mini`: lfw-mini with mobilefacenet, no bootstrap. */
export async function workbenchWithMiniRun(ws: string): Promise<RunningWorkbench> {
  const e = await runCli(['eval', '--dataset', 'lfw-mini', '--models', 'mobilefacenet', '--bootstrap', '0', '--out', path.join(ws, 'runs', 'mini'), '--data-root', DATA_ROOT, '--model-root', MODEL_ROOT, '--workspace', ws]);
  assert.equal(e.code, 0, e.stderr);
  return startWorkbench(testConfig(ws));
}

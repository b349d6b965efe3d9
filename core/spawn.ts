import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Worker threads and child processes run a module of this project, from source under tsx (tests, development) or
 * compiled in dist/. A caller passes the module's URL with the extension of its own file (see moduleUrl).
 */
const fromSource = (url: URL) => url.pathname.endsWith('.ts');

/** The URL of a sibling module `name` (no extension) of `importMetaUrl`, in the same form (.ts or .js). */
export function moduleUrl(name: string, importMetaUrl: string): URL {
  return new URL(`./${name}${importMetaUrl.endsWith('.ts') ? '.ts' : '.js'}`, importMetaUrl);
}

/** tsx does not register its loader in worker threads, so from source the worker first registers it itself. */
export function startThread(url: URL, workerData: unknown): Worker {
  if (!fromSource(url)) return new Worker(url, { workerData });
  const api = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

/**
 * A child process running `url`, with an IPC channel using structured clone (typed arrays and Maps travel as they
 * are). Its own process: a crash, a runaway loop or a kill cannot touch the caller, and its memory is returned.
 */
export function startProcess(url: URL): ChildProcess {
  const execArgv = fromSource(url) ? ['--import', import.meta.resolve('tsx')] : [];
  return fork(fileURLToPath(url), [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

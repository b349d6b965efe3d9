import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Command } from 'commander';
import { FrwError } from '../core/errors.js';
import { PROJECT_ROOT } from '../core/paths.js';
import { createWorkbenchApp } from '../workbench/server/app.js';
import { startDemoIfNoRuns } from '../workbench/server/demo.js';
import { JobRunner } from '../workbench/server/jobs.js';
import { action, configOf } from './context.js';

/** Where `npm run build` (scripts/build-ui.mjs) puts the browser app. */
export const WORKBENCH_UI_DIR = path.join(PROJECT_ROOT, 'dist', 'workbench-ui');

/** `frw workbench`: the web app and its API on 127.0.0.1 (local only: it reads your data and runs jobs). */
export function registerWorkbench(program: Command): void {
  program
    .command('workbench')
    .description('serve the workbench web app on 127.0.0.1 (datasets, models, experiments, threshold explorer, export)')
    .option('--port <n>', 'port', '8730')
    .option('--demo', 'on a first start (no run yet), run the demo evaluation (lfw-mini, fr-feature) so there is a run to explore', false)
    .action(
      action(async (flags: { port: string; demo: boolean }, self: Command) => {
        if (!fs.existsSync(path.join(WORKBENCH_UI_DIR, 'app.js'))) throw new FrwError('NOT_FOUND', `the browser app is not built (${WORKBENCH_UI_DIR}); run npm run build`);
        const port = Number(flags.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FrwError('BAD_INPUT', `--port must be a port number, got ${flags.port}`);
        const cfg = configOf(self);
        const jobs = new JobRunner(cfg);
        const server = createWorkbenchApp({ cfg, jobs, staticDir: WORKBENCH_UI_DIR }).listen(port, '127.0.0.1');
        await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
        process.stderr.write(`frw workbench: open ${url} (Ctrl-C to stop)\n`);
        const shutdown = () => {
          process.stderr.write('frw workbench: stopping (a running job is cancelled; its embeddings stay cached)\n');
          void jobs.close().then(() => server.close(() => process.exit(0)));
        };
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
        if (flags.demo) {
          // The server is up either way: a demo that cannot start (no lfw-mini, no model file) is said, not fatal.
          const demo = await startDemoIfNoRuns(cfg, jobs).catch((e: Error) => {
            process.stderr.write(`frw workbench: demo skipped: ${e.message}\n`);
            return null;
          });
          if (demo) {
            process.stderr.write(`frw workbench: first start: running the demo evaluation (${demo.params.dataset}, ${(demo.params.models as string[]).join(', ')}); it appears under Experiments when done\n`);
            jobs.subscribe(demo.id, (e) => {
              if (e.type === 'stage') process.stderr.write(`frw workbench: demo: ${e.data.message}\n`);
              else if (e.type === 'done') process.stderr.write(`frw workbench: demo ready: ${url}#/explorer?run=${demo.params.runId}\n`);
              else if (e.type === 'failed' || e.type === 'cancelled') process.stderr.write(`frw workbench: demo ${e.type}: ${e.data.message}\n`);
            });
          }
        }
      }),
    );
}

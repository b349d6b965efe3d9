import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { FrwError } from '../core/errors.js';
import { PROJECT_ROOT } from '../core/paths.js';
import { createWorkbenchApp } from '../workbench/server/app.js';
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
    .action(
      action(async (flags: { port: string }, self: Command) => {
        if (!fs.existsSync(path.join(WORKBENCH_UI_DIR, 'app.js'))) throw new FrwError('NOT_FOUND', `the browser app is not built (${WORKBENCH_UI_DIR}); run npm run build`);
        const port = Number(flags.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FrwError('BAD_INPUT', `--port must be a port number, got ${flags.port}`);
        const app = createWorkbenchApp({ cfg: configOf(self), jobs: new JobRunner(configOf(self)), staticDir: WORKBENCH_UI_DIR });
        const server = app.listen(port, '127.0.0.1', () => process.stderr.write(`frw workbench: open http://127.0.0.1:${port}/ (Ctrl-C to stop)\n`));
        server.on('error', (e) => {
          process.stderr.write(`frw workbench: ${(e as Error).message}\n`);
          process.exitCode = 1;
        });
      }),
    );
}

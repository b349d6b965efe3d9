import type { Command } from 'commander';
import { createWorkbenchApp } from '../workbench/server/app.js';
import { JobRunner } from '../workbench/server/jobs.js';
import { action, configOf } from './context.js';

/** `frw workbench`: the workbench server on 127.0.0.1 (its HTTP API; the browser app is being built). */
export function registerWorkbench(program: Command): void {
  program
    .command('workbench')
    .description('serve the workbench on 127.0.0.1 (datasets, models, runs, live evaluation jobs)')
    .option('--port <n>', 'port', '8730')
    .action(
      action(async (flags: { port: string }, self: Command) => {
        const app = createWorkbenchApp({ cfg: configOf(self), jobs: new JobRunner() });
        app.listen(Number(flags.port), '127.0.0.1', () => process.stderr.write(`frw workbench: http://127.0.0.1:${flags.port}/api/datasets\n`));
      }),
    );
}

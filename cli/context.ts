import type { Command } from 'commander';
import { resolveConfig, type FrwConfig } from '../core/config.js';
import { FrwError, errorMessage } from '../core/errors.js';

/** Global flags shared by every command; resolved into a FrwConfig once, at the entry point. */
export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .option('--data-root <dir>', 'folder of named datasets (env FRW_DATA_ROOT; default ../shared/datasets)')
    .option('--model-root <dir>', 'folder of model files (env FRW_MODEL_ROOT; default ../shared/models)')
    .option('--workspace <dir>', 'writable folder for caches, user models and runs (env FRW_WORKSPACE; default .frw)')
    .option('--threads <n>', 'worker threads (env FRW_THREADS; default: CPU cores)');
}

export function configOf(cmd: Command): FrwConfig {
  return resolveConfig(cmd.optsWithGlobals(), process.env);
}

/** Wrap an action: known errors print their message and exit 2; anything else prints its stack and exits 1. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (e instanceof FrwError) {
        process.stderr.write(`frw: ${e.message}\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`frw: internal error: ${errorMessage(e)}\n${(e as Error)?.stack ?? ''}\n`);
        process.exitCode = 1;
      }
    }
  };
}

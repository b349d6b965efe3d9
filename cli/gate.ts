import path from 'node:path';
import type { Command } from 'commander';
import { oneOf } from '../core/choice.js';
import { FrwError } from '../core/errors.js';
import { writeFileAtomic } from '../core/lock.js';
import { openDataset } from '../datasets/resolve.js';
import { loadDeployConfig } from '../engine/deploy-config.js';
import { GATE_EXIT } from '../experiments/gate.js';
import { PROTOCOLS } from '../experiments/protocols.js';
import { gateJunit, gateMarkdown } from '../reports/gate-summary.js';
import { writeDecisionReport } from '../usecases/decision-report.js';
import { jsonNumbers } from '../runs/format.js';
import { runGate } from '../usecases/gate.js';
import { action, configOf } from './context.js';
import { addDatasetOptions, datasetOptionsOf, type DatasetFlags } from './dataset.js';
import { progressHooks } from './progress.js';

interface GateFlags extends DatasetFlags {
  config: string;
  dataset: string;
  protocol?: string;
  maxFmr?: string;
  maxFnmr?: string;
  maxFpir?: string;
  maxFnir?: string;
  enrol?: string;
  unknownShare?: string;
  maxFmrDifferential?: string;
  maxFnmrDifferential?: string;
  attributes?: string;
  groupBy?: string;
  bootstrap: string;
  report?: string;
  level: string;
  seed: string;
  impostorSample?: string;
  junit?: string;
  json: boolean;
}

/**
 * `frw gate`: measure a deployment config on a QA set and decide a release. Exit 0 when every budget's one-sided
 * upper bound is within it, 1 when a budget is exceeded, 2 when the data cannot back a budget or the config does not
 * match what is installed (every FrwError exits 2).
 */
export function registerGate(program: Command): void {
  const cmd = program.command('gate').description('release gate: measure a deployment config on a QA set; exit 0 pass, 1 a budget exceeded, 2 cannot back a budget or config mismatch');
  addDatasetOptions(cmd.requiredOption('--config <file>', 'deployment config (frw export-config)').requiredOption('--dataset <name|path>', 'the QA set: a dataset name under the data root, or a path'))
    .option('--protocol <name>', `${PROTOCOLS.join(' | ')} (default: the dataset's listed pairs, else all pairs)`)
    .option('--max-fmr <f>', 'FMR budget: passes when the one-sided upper bound of the system-level FMR is within it')
    .option('--max-fnmr <g>', 'FNMR budget (failures to acquire count as false non-matches)')
    .option('--max-fpir <h>', 'identification configs: FPIR budget (strangers answered with someone; a stranger without a face is answered unknown)')
    .option('--max-fnir <g>', 'identification configs: FNIR budget (mated probes not answered with their own identity)')
    .option('--enrol <k>', 'identification configs: images enrolled per identity from the QA set (seeded split; default 1)')
    .option('--unknown-share <f>', 'identification configs: share of identities held out as strangers (default 0)')
    .option('--max-fmr-differential <r>', 'FMR (FPIR for identification) differential budget, max/min over an attribute\'s groups: passes when its upper bound is within r')
    .option('--max-fnmr-differential <r>', 'FNMR (FNIR) differential budget, likewise')
    .option('--attributes <csv>', 'image or identity attributes for group differentials: first column "image" or "identity", then one column per attribute')
    .option('--group-by <names>', 'comma-separated attributes the differential budgets check (default: those of --attributes, else grayscale, resolution, face size)')
    .option('--level <γ>', 'confidence of the upper bounds', '0.95')
    .option('--bootstrap <B>', 'bootstrap replicates over identities for the rate bounds (0: Clopper-Pearson only)', '1000')
    .option('--seed <n>', 'seed for an impostor sample', '1')
    .option('--impostor-sample <n>', 'all-pairs: a seeded uniform sample of this many impostor pairs')
    .option('--junit <file>', 'also write JUnit XML (one test case per budget)')
    .option('--report <file>', 'also write the decision report: HTML, or PDF (printed by Chromium) when the name ends in .pdf')
    .option('--json', 'print the result as JSON instead of the Markdown summary', false);
  // Exit 1 means "a budget is exceeded" and nothing else: a usage mistake exits 2 like every other refusal.
  cmd.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
  cmd.action(
    action(async (flags: GateFlags, self: Command) => {
      try {
        await gate(flags, self);
      } catch (e) {
        // A fault (a runtime error, a file that cannot be written) is no verdict: exit 2, never 1.
        throw e instanceof FrwError ? e : new FrwError('INTERNAL', `the gate could not run: ${(e as Error).message}`);
      }
    }),
  );
}

const MAX_REPLICATES = 100_000;
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

/** The gate itself: flags checked, the config measured, the outputs written, the exit code set from the verdict. */
async function gate(flags: GateFlags, self: Command): Promise<void> {
  const cfg = configOf(self);
  const config = loadDeployConfig(path.resolve(flags.config));
  const level = Number(flags.level);
  if (!(level > 0.5 && level < 1)) throw new FrwError('BAD_INPUT', `--level must be in (0.5, 1) for a one-sided bound, got "${flags.level}"`);
  const seed = Number(flags.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new FrwError('BAD_INPUT', `--seed must be an integer >= 0, got "${flags.seed}"`);
  const sample = flags.impostorSample === undefined ? undefined : Number(flags.impostorSample);
  if (sample !== undefined && !(Number.isInteger(sample) && sample >= 1)) throw new FrwError('BAD_INPUT', `--impostor-sample must be an integer >= 1, got "${flags.impostorSample}"`);
  const bootstrap = Number(flags.bootstrap);
  if (!Number.isInteger(bootstrap) || bootstrap < 0 || bootstrap > MAX_REPLICATES) throw new FrwError('BAD_INPUT', `--bootstrap must be an integer in [0, ${MAX_REPLICATES}], got "${flags.bootstrap}"`);
  const enrol = num(flags.enrol);
  if (enrol !== undefined && !(Number.isInteger(enrol) && enrol >= 1 && enrol <= 100)) throw new FrwError('BAD_INPUT', `--enrol must be an integer in [1, 100], got "${flags.enrol}"`);
  const unknownShare = num(flags.unknownShare);
  if (unknownShare !== undefined && !(unknownShare >= 0 && unknownShare < 1)) throw new FrwError('BAD_INPUT', `--unknown-share must be in [0, 1), got "${flags.unknownShare}"`);
  const manifest = await openDataset(flags.dataset, cfg, datasetOptionsOf(flags));
  const result = await runGate(
    cfg,
    {
      config,
      manifest,
      protocol: flags.protocol === undefined ? undefined : oneOf(PROTOCOLS, flags.protocol, '--protocol'),
      // Checked once, in runGate (a rate in (0, 1)); Number('abc') is NaN and is refused there.
      budgets: { maxFmr: num(flags.maxFmr), maxFnmr: num(flags.maxFnmr), maxFpir: num(flags.maxFpir), maxFnir: num(flags.maxFnir), maxFmrDifferential: num(flags.maxFmrDifferential), maxFnmrDifferential: num(flags.maxFnmrDifferential) },
      level,
      seed,
      bootstrap,
      enrol,
      unknownShare,
      attributesFile: flags.attributes === undefined ? undefined : path.resolve(flags.attributes),
      groupBy: flags.groupBy === undefined ? undefined : flags.groupBy.split(',').map((s) => s.trim()).filter(Boolean),
      impostorSample: sample,
    },
    progressHooks(),
  );
  // The verdict first: a report that cannot be written (Chromium missing) must not hide it.
  if (flags.junit) writeFileAtomic(path.resolve(flags.junit), gateJunit(result));
  process.stdout.write(flags.json ? JSON.stringify(result, jsonNumbers, 2) + '\n' : gateMarkdown(result));
  for (const c of result.checks) process.stderr.write(`frw gate: ${c.message}\n`);
  process.exitCode = GATE_EXIT[result.verdict];
  if (flags.report) {
    try {
      await writeDecisionReport(cfg, result, config, manifest, path.resolve(flags.report), `frw gate ${process.argv.slice(3).join(' ')}`);
    } catch (e) {
      // A release check asked for its report and did not get it: not a pass, whatever the verdict (exit 2).
      process.stderr.write(`frw gate: the verdict above stands, but the report could not be written: ${(e as Error).message}\n`);
      process.exitCode = 2;
    }
  }
}

import type { Command } from 'commander';
import { FrwError } from '../core/errors.js';
import { openDataset } from '../datasets/resolve.js';
import { DEFAULT_FMR_TARGETS, DEFAULT_RULES } from '../experiments/evaluate.js';
import { SCORE_VIEWS } from '../experiments/distributions.js';
import { oneOf } from '../core/choice.js';
import { defaultProtocol, PROTOCOLS } from '../experiments/protocols.js';
import { summaryRows } from '../reports/eval-report.js';
import { count, pct, sci } from '../reports/format.js';
import type { BudgetChoice } from '../experiments/budget.js';
import { trialsToBack } from '../experiments/metrics/index.js';
import { evaluateToFolder } from '../usecases/evaluate.js';
import { manifestWithDecisions } from '../usecases/audit-decisions.js';
import { action, configOf } from './context.js';
import { addDatasetOptions, datasetOptionsOf, type DatasetFlags } from './dataset.js';
import { addPipelineOptions, pipelineSpecs, type PipelineFlags } from './pipeline-options.js';
import { progressHooks } from './progress.js';

interface EvalFlags extends PipelineFlags, DatasetFlags {
  dataset: string;
  protocol?: string;
  seed: string;
  impostorSample?: string;
  bootstrap: string;
  fmr?: string;
  fusionWeights?: string;
  distance: string;
  cost?: string;
  fmrBound: string;
  out?: string;
  decisions?: string;
  json: boolean;
}

export function registerEval(program: Command): void {
  const cmd = program.command('eval').description('verification metrics for one or more models on the same comparisons; writes a run folder with report.html');
  addDatasetOptions(cmd.requiredOption('--dataset <name|path>', 'dataset name under the data root, or a path'));
  addPipelineOptions(cmd, { multiModel: true })
    .option('--protocol <name>', `${PROTOCOLS.join(' | ')} (default: lfw-10fold when the pairs have folds, pairs when the dataset lists pairs, else all-pairs)`)
    .option('--seed <n>', 'seed for impostor sampling and the bootstrap', '1')
    .option('--impostor-sample <n>', 'all-pairs: a seeded uniform sample of this many impostor pairs')
    .option('--bootstrap <n>', 'bootstrap replicates over identities (0 to skip)', '200')
    .option('--fusion-weights <list>', 'with "fusion" among --models: weights per model, comma-separated (default: by accuracy)')
    .option('--distance <view>', 'show distributions as similarity, cosine-distance or l2-distance', 'similarity')
    .option('--cost <fm,fnm,prior>', 'also pick the least-cost threshold for these error costs and genuine-attempt prior')
    .option('--fmr <list>', 'TAR@FMR targets, comma-separated', DEFAULT_FMR_TARGETS.join(','))
    .option('--fmr-bound <list>', 'FMR budgets for the budget rule (the lowest threshold whose upper bounds, Clopper-Pearson and the bootstrap over identities, stay within each), comma-separated', '0.001')
    .option('--out <dir>', 'run folder (default: <workspace>/runs/<dataset>-<protocol>-<time>)')
    .option('--decisions <file>', 'apply an audit decisions file (frw audit decide) to the dataset first; run.json records its sha256')
    .option('--json', 'print metrics.json to stdout', false);
  cmd.action(
    action(async (flags: EvalFlags, self: Command) => {
      const cfg = configOf(self);
      // "fusion" among the models asks for the fused score of the others as an extra model.
      const names = (flags.models ?? '').split(',').map((m) => m.trim()).filter(Boolean);
      const fusion = names.includes('fusion');
      const pipelines = pipelineSpecs({ ...flags, models: names.filter((m) => m !== 'fusion').join(',') }, cfg);
      const fusionWeights = flags.fusionWeights?.split(',').map(Number);
      if (fusionWeights && !fusion) throw new FrwError('BAD_INPUT', '--fusion-weights needs "fusion" among --models');
      const opened = await openDataset(flags.dataset, cfg, datasetOptionsOf(flags));
      const decided = flags.decisions === undefined ? null : manifestWithDecisions(opened, flags.decisions);
      const manifest = decided?.manifest ?? opened;
      const protocol = flags.protocol === undefined ? defaultProtocol(manifest) : oneOf(PROTOCOLS, flags.protocol, '--protocol');
      const int = (v: string | undefined, what: string, min: number) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isInteger(n) || n < min) throw new FrwError('BAD_INPUT', `${what} must be an integer >= ${min}, got "${v}"`);
        return n;
      };
      const fmrTargets = (flags.fmr ?? '').split(',').map(Number);
      if (fmrTargets.some((f) => !(f > 0 && f < 1))) throw new FrwError('BAD_INPUT', `--fmr targets must be numbers in (0, 1), got "${flags.fmr}"`);
      const seed = int(flags.seed, '--seed', 0)!;
      const view = oneOf(SCORE_VIEWS, flags.distance, '--distance');
      const budgets = flags.fmrBound.split(',').map(Number);
      if (budgets.some((f) => !(f > 0 && f < 1))) throw new FrwError('BAD_INPUT', `--fmr-bound budgets must be numbers in (0, 1), got "${flags.fmrBound}"`);
      const rules = [...DEFAULT_RULES.filter((r) => r.kind !== 'fmr-bound'), ...budgets.map((target) => ({ kind: 'fmr-bound' as const, target }))];
      if (flags.cost !== undefined) {
        const [fm, fnm, prior] = flags.cost.split(',').map(Number);
        if (!(fm > 0 && fnm > 0 && prior > 0 && prior < 1)) throw new FrwError('BAD_INPUT', `--cost needs three numbers: cost of a false match, cost of a false non-match (both > 0), prior of a genuine attempt in (0, 1); got "${flags.cost}"`);
        rules.push({ kind: 'min-cost', costFalseMatch: fm, costFalseNonMatch: fnm, priorGenuine: prior });
      }
      const { out, result } = await evaluateToFolder(
        cfg,
        {
          manifest,
          spec: { protocol, pipelines, seed, impostorSample: int(flags.impostorSample, '--impostor-sample', 1), evaluation: { fmrTargets, rules, seed, bootstrap: int(flags.bootstrap, '--bootstrap', 0)!, level: 0.95, view }, fusion: fusion ? { weights: fusionWeights } : undefined, decisions: decided?.record },
          out: flags.out,
        },
        progressHooks(),
      );
      if (flags.json) {
        process.stdout.write(JSON.stringify({ out, models: result.metrics }, null, 2) + '\n');
        return;
      }
      const rows = summaryRows(result.metrics);
      process.stdout.write(`\n${manifest.name} · ${protocol} · ${count(result.record.comparisons.genuine)} genuine / ${count(result.record.comparisons.impostor)} impostor comparisons\n`);
      const bootstrapped = result.metrics.find((m) => m.eer.bootstrap)?.eer.bootstrap;
      if (bootstrapped) process.stdout.write(`  intervals: ${bootstrapped.method}\n`);
      for (const r of rows) process.stdout.write(`  ${String(r[0]).padEnd(18)} AUC ${r[1]}  EER ${r[2]}  10-fold ${r[4]}\n`);
      for (const m of result.metrics) {
        const parts = m.tarAtFmr.map((t) => `${sci(t.targetFmr)}: ${t.measurable ? `${pct(t.tar!)} (${t.backed ? 'backed' : 'not backed'})` : `not measurable (min FMR ${sci(t.smallestMeasurableFmr)})`}`);
        process.stdout.write(`  ${m.model.padEnd(18)} TAR@FMR ${parts.join(' · ')}\n`);
        for (const f of budgets.filter((f) => !m.thresholds.some((x) => x.rule.kind === 'fmr-bound' && x.rule.target === f))) {
          process.stdout.write(`  ${''.padEnd(18)} FMR budget ${sci(f)}: cannot be backed with ${count(m.counts.impostor)} impostor comparisons; it takes at least ${count(trialsToBack(f, 0.95))} with no false match\n`);
        }
        for (const t of m.thresholds.filter((x) => x.rule.kind === 'fmr-bound')) {
          const b = t as Partial<BudgetChoice> & typeof t;
          const boot = b.fmrUpperBootstrap ? `, bootstrap ${b.fmrUpperBootstrap.upper.toExponential(3)}; decided by ${b.decidedBy}` : ', no bootstrap';
          process.stdout.write(`  ${''.padEnd(18)} FMR budget ${sci((t.rule as { target: number }).target)}: t=${t.threshold.similarity.toFixed(6)}, ${count(t.falseMatches)} of ${count(t.impostorCount)} false matches, one-sided upper bounds: Clopper-Pearson ${t.fmrUpper.upper.toExponential(3)}${boot}; TAR ${pct(1 - t.fnmr.estimate)}\n`);
        }
      }
      process.stdout.write(`run folder ${out} (run.json, metrics.json, scores, report.html)\n`);
    }),
  );
}

import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { workspacePaths } from '../core/config.js';
import { FrwError } from '../core/errors.js';
import { writeFileAtomic } from '../core/lock.js';
import { buildDeployConfig, finalizeConfig, parseRule } from '../usecases/export-config.js';
import { parseDeployConfig } from '../engine/deploy-config.js';
import type { MatchMode } from '../search/templates.js';
import { count, intervalText, pct, sci } from '../reports/format.js';
import { action, configOf } from './context.js';

export function registerExportConfig(program: Command): void {
  program
    .command('export-config')
    .description('export a deployment config: the threshold a rule picks in a run, pinned to its exact model, detector and preprocessing')
    .requiredOption('--run <dir>', 'run folder of frw eval or frw identify')
    .requiredOption('--model <id>', 'model of the run')
    .requiredOption('--rule <rule>', 'fmr=<target> | fpir=<target> | eer | best-accuracy | youden | fixed=<similarity>')
    .option('--mode <mode>', 'aggregation the engine uses: raw, mean, median, quality', 'mean')
    .requiredOption('--out <file>', 'where to write deploy.json')
    .option('--force', 'overwrite an existing file', false)
    .action(
      action(async (flags: { run: string; model: string; rule: string; mode: string; out: string; force: boolean }, self: Command) => {
        const cfg = configOf(self);
        const out = path.resolve(flags.out);
        if (fs.existsSync(out) && !flags.force) throw new FrwError('CONFLICT', `${out} exists; pass --force to overwrite`);
        const config = finalizeConfig(buildDeployConfig({ runDir: path.resolve(flags.run), model: flags.model, mode: flags.mode as MatchMode, rule: parseRule(flags.rule), userModelsDir: workspacePaths(cfg).userModels }));
        const text = JSON.stringify(config, null, 2) + '\n';
        parseDeployConfig(text, out); // what we publish must pass our own loader, before it exists on disk
        writeFileAtomic(out, text);
        const e = config.expected;
        // The one-sided bound gets four digits: it is read against a budget (9.997e-6 must not print as 1e-5).
        const rates =
          e.kind === 'verification'
            ? `FMR ${sci(e.fmr.estimate)} ${intervalText(e.fmr, sci)}${e.fmrUpper ? `, one-sided ${Math.round(100 * e.fmrUpper.level)}% upper bound ${e.fmrUpper.upper.toExponential(3)}` : ''} · FNMR ${pct(e.fnmr.estimate)} over ${count(e.comparisons.genuine)} genuine / ${count(e.comparisons.impostor)} impostor comparisons`
            : `FPIR ${pct(e.fpir.estimate)} ${intervalText(e.fpir)} · FNIR ${pct(e.fnir.estimate)} at a gallery of ${count(e.gallery.identities)} identities / ${count(e.gallery.vectors)} vectors`;
        process.stdout.write(`${config.model.id} (${config.aggregation}) · ${config.rule.description}\nthreshold: similarity ≥ ${config.threshold.similarity.toFixed(6)} ⇔ cosine distance ≤ ${config.threshold.cosineDistance.toFixed(6)} ⇔ L2 distance ≤ ${config.threshold.l2Distance.toFixed(6)}\nexpected: ${rates}\nwritten ${out} (content hash ${config.contentHash.slice(0, 12)}…)\n`);
      }),
    );
}

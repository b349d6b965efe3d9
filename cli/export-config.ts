import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { workspacePaths } from '../core/config.js';
import { FrwError } from '../core/errors.js';
import { writeFileAtomic } from '../core/lock.js';
import { buildDeployConfig, finalizeConfig, parseRule } from '../usecases/export-config.js';
import { parseDeployConfig } from '../engine/deploy-config.js';
import type { MatchMode } from '../search/templates.js';
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
        const rates =
          e.kind === 'verification'
            ? `FMR ${e.fmr.estimate.toExponential(2)} [${e.fmr.lower.toExponential(2)}, ${e.fmr.upper.toExponential(2)}] · FNMR ${(100 * e.fnmr.estimate).toFixed(2)}% over ${e.comparisons.genuine}/${e.comparisons.impostor} comparisons`
            : `FPIR ${(100 * e.fpir.estimate).toFixed(2)}% [${(100 * e.fpir.lower).toFixed(2)}, ${(100 * e.fpir.upper).toFixed(2)}] · FNIR ${(100 * e.fnir.estimate).toFixed(2)}% at a gallery of ${e.gallery.identities} identities / ${e.gallery.vectors} vectors`;
        process.stdout.write(`${config.model.id} (${config.aggregation}) · ${config.rule.description}\nthreshold: similarity ≥ ${config.threshold.similarity.toFixed(6)} ⇔ cosine distance ≤ ${config.threshold.cosineDistance.toFixed(6)} ⇔ L2 distance ≤ ${config.threshold.l2Distance.toFixed(6)}\nexpected: ${rates}\nwritten ${out} (content hash ${config.contentHash.slice(0, 12)}…)\n`);
      }),
    );
}

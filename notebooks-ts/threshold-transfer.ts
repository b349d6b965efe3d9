/**
 * Notebook: does a tuned threshold keep its promise on data it was not tuned on?
 *
 * A deployment threshold is chosen on some comparisons ("FMR ≤ 1e-3 on our validation set") and then meets new
 * faces. LFW's ten folds let us watch that happen: tune on nine folds, measure on the tenth, ten times. The
 * held-out FMR scatters around the target, and its interval (300 impostor pairs per fold) shows how little one
 * fold can confirm.
 *
 *   npx tsx notebooks-ts/threshold-transfer.ts [--dataset lfw] [--model fr-feature] [--targets 0.01,0.001]
 *
 * Writes <workspace>/notebooks/threshold-transfer-<dataset>-<model>.html and prints a summary. Embeddings come
 * from the workspace cache (computed if missing, as frw eval would).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveConfig } from '../core/config.js';
import { embeddingDeps } from '../usecases/deps.js';
import { errorMessage } from '../core/errors.js';
import { openDataset } from '../datasets/resolve.js';
import { embedForRun } from '../pipeline/embed-dataset.js';
import { loadEmbeddingTable } from '../pipeline/embedding-table.js';
import { defaultPipelines } from '../pipeline/specs.js';
import { buildComparisons } from '../experiments/protocols.js';
import { scoreComparisons } from '../experiments/scoring.js';
import { thresholdTransfer, type FoldTransfer } from '../experiments/threshold-transfer.js';
import { foldTransferSpec } from '../reports/charts.js';
import { intervalText, pct } from '../reports/format.js';
import { Notebook } from './lib/notebook.js';

const { values: args } = parseArgs({ options: { dataset: { type: 'string', default: 'lfw' }, model: { type: 'string', default: 'fr-feature' }, targets: { type: 'string', default: '0.01,0.001' }, workspace: { type: 'string' }, 'data-root': { type: 'string' }, 'model-root': { type: 'string' } } });
// Config resolved once, here at the entry point, as the CLI does.
const cfg = resolveConfig({ workspace: args.workspace, dataRoot: args['data-root'], modelRoot: args['model-root'] }, process.env);
const targets = args.targets.split(',').map(Number);

try {
  const manifest = await openDataset(args.dataset, cfg);
  const [spec] = defaultPipelines([args.model], false, cfg);
  const embed = await embedForRun(manifest, spec, embeddingDeps(cfg, { onStage: (m) => process.stderr.write(`${m}\n`) }));
  const table = loadEmbeddingTable(manifest, embed.cacheDir, spec.embedder.output.dim);
  const set = buildComparisons(manifest, 'lfw-10fold', { seed: 1 });
  const scored = scoreComparisons(set, table);
  const kept = [...scored.genuineIndex, ...scored.impostorIndex];
  const pairs = { score: kept.map((k) => scored.score[k]), same: kept.map((k) => set.same[k]), fold: kept.map((k) => set.fold![k]) };

  const nb = new Notebook(`Threshold transfer: ${args.model} on ${manifest.name}`, `Tune on k−1 folds, measure on the held-out fold · ${pairs.score.length.toLocaleString('en')} scored pairs · ${scored.excluded.genuine + scored.excluded.impostor} excluded (failure to acquire)`);
  nb.text(
    'The question',
    'A threshold tuned for a target FMR is only as good as the comparisons it was tuned on. Here each fold is held out in turn: the threshold is chosen on the other folds by the rule "lowest threshold with FMR ≤ target" (accept iff s ≥ t), then applied unchanged to the held-out fold.',
    'Each held-out fold has a few hundred impostor pairs, so its FMR is measured coarsely: the Clopper-Pearson interval says how much one fold can confirm or refute.',
  );
  const results: Array<{ target: number; folds: FoldTransfer[] | null; why?: string }> = targets.map((target) => {
    try {
      return { target, folds: thresholdTransfer(pairs, { kind: 'fmr', target }) };
    } catch (e) {
      return { target, folds: null, why: errorMessage(e) };
    }
  });
  for (const r of results) {
    if (!r.folds) {
      nb.text(`FMR ≤ ${r.target}`, `Not measurable: ${r.why}`);
      continue;
    }
    const within = r.folds.filter((f) => f.heldOut.fmr.lower <= r.target).length;
    nb.table(
      `FMR ≤ ${r.target}: tuned on the other folds, measured on each`,
      ['held-out fold', 'threshold (similarity)', 'FMR where tuned', 'held-out FMR [95%]', 'held-out FNMR [95%]', 'held-out impostor / genuine'],
      r.folds.map((f) => [f.fold + 1, f.threshold.toFixed(4), pct(f.tuned.fmr), `${pct(f.heldOut.fmr.estimate)} ${intervalText(f.heldOut.fmr)}`, `${pct(f.heldOut.fnmr.estimate)} ${intervalText(f.heldOut.fnmr)}`, `${f.heldOut.impostor} / ${f.heldOut.genuine}`]),
      `In ${within} of ${r.folds.length} folds the held-out interval reaches down to the target; the thresholds span ${Math.min(...r.folds.map((f) => f.threshold)).toFixed(4)}–${Math.max(...r.folds.map((f) => f.threshold)).toFixed(4)}.`,
    );
    nb.charts(`FMR ≤ ${r.target}: held-out FMR by fold`, foldTransferSpec({ model: args.model, target: r.target, folds: r.folds.map((f) => ({ fold: f.fold, fmr: f.heldOut.fmr.estimate, lower: f.heldOut.fmr.lower, upper: f.heldOut.fmr.upper })) }));
    process.stdout.write(`FMR ≤ ${r.target}: thresholds ${r.folds.map((f) => f.threshold.toFixed(3)).join(' ')}; held-out FMR ${r.folds.map((f) => pct(f.heldOut.fmr.estimate)).join(' ')}\n`);
  }
  const out = nb.save(path.join(cfg.workspace, 'notebooks', `threshold-transfer-${manifest.name}-${args.model}.html`));
  process.stdout.write(`notebook written to ${out}\n`);
} catch (e) {
  process.stderr.write(`threshold-transfer: ${errorMessage(e)}\n`);
  process.exitCode = 1;
}

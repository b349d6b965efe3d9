import type { Command } from 'commander';
import { openDataset } from '../datasets/resolve.js';
import type { EmbedSummary } from '../pipeline/embed-dataset.js';
import { embedToCache } from '../usecases/embed.js';
import { action, configOf } from './context.js';
import { addDatasetOptions, datasetOptionsOf, type DatasetFlags } from './dataset.js';
import { addPipelineOptions, pipelineSpecs, type PipelineFlags } from './pipeline-options.js';
import { createProgress } from './progress.js';

export function registerEmbed(program: Command): void {
  const cmd = program.command('embed').description('embed every image of a dataset (resumable; cached by image and pipeline)');
  addDatasetOptions(cmd.requiredOption('--dataset <name|path>', 'dataset name under the data root, or a path'));
  addPipelineOptions(cmd).option('--json', 'print the summary as JSON on stdout', false);
  cmd.action(
    action(async (flags: PipelineFlags & DatasetFlags & { dataset: string; json: boolean }, self: Command) => {
      const cfg = configOf(self);
      const [spec] = pipelineSpecs(flags, cfg);
      const manifest = await openDataset(flags.dataset, cfg, datasetOptionsOf(flags));
      const controller = new AbortController();
      const onSigint = () => {
        process.stderr.write('\nfrw: interrupted; finishing the images in flight (they stay cached)…\n');
        controller.abort();
      };
      process.once('SIGINT', onSigint);
      const bar = createProgress(`embed ${spec.embedder.id}`);
      let summary: EmbedSummary;
      try {
        summary = await embedToCache(cfg, manifest, spec, { onEmbedProgress: (_model, p) => bar.update(p), signal: controller.signal });
      } finally {
        bar.end();
        process.off('SIGINT', onSigint);
      }
      if (flags.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else process.stdout.write(formatEmbedSummary(summary));
      if (controller.signal.aborted) process.exitCode = 130;
    }),
  );
}

export function formatEmbedSummary(s: EmbedSummary): string {
  const reasons = Object.entries(s.fta.byReason).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${n}`).join(', ');
  const pct = (n: number) => (s.images ? ((100 * n) / s.images).toFixed(2) : '0.00');
  return [
    `dataset ${s.dataset}: ${s.images} images · model ${s.model} · detector ${s.detector}`,
    `embedded ${s.embedded} (${pct(s.embedded)}%) · from cache ${s.cached} · computed now ${s.computed}${s.pending ? ` · not yet processed ${s.pending}` : ''}`,
    `failures to acquire ${s.fta.count} (${pct(s.fta.count)}%)${reasons ? `: ${reasons}` : ''}`,
    `several faces (one chosen by policy) ${s.multiFace}`,
    ...(s.faceCache && s.faceCache.mode !== 'unused' ? [`faces: ${s.faceCache.fromCache} from the face cache · ${s.faceCache.detected} detected now (${s.faceCache.mode}${s.faceCache.note ? `: ${s.faceCache.note}` : ''})`] : []),
    `${s.seconds.toFixed(1)} s · cache ${s.cacheDir}${s.repairedBytes ? ` · repaired the cache: ${s.repairedBytes} bytes that formed no intact record were dropped (their images were embedded again)` : ''}`,
    '',
  ].join('\n');
}

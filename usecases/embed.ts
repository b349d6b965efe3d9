import type { FrwConfig } from '../core/config.js';
import type { DatasetManifest } from '../datasets/manifest.js';
import { embedDataset, type EmbedSummary } from '../pipeline/embed-dataset.js';
import type { PipelineSpec } from '../pipeline/spec.js';
import { embeddingDeps, type RunHooks } from './deps.js';

/**
 * Embed a dataset through one pipeline into the workspace cache (`frw embed`): resumable, and an interruption
 * (hooks.signal) returns the summary with the images not reached counted as pending, rather than throwing.
 */
export function embedToCache(cfg: FrwConfig, manifest: DatasetManifest, spec: PipelineSpec, hooks: RunHooks = {}): Promise<EmbedSummary> {
  const deps = embeddingDeps(cfg, hooks);
  return embedDataset(manifest, spec, { ...deps, onProgress: (p) => hooks.onEmbedProgress?.(spec.embedder.id, p) });
}

import { workspacePaths, type FrwConfig } from '../core/config.js';
import type { EmbeddingRunDeps, EmbedProgress } from '../pipeline/embed-dataset.js';

/** What an entry point (CLI, workbench job, notebook, bench) observes of a long run. All optional. */
export interface RunHooks {
  onStage?: (message: string) => void;
  onEmbedProgress?: (model: string, p: EmbedProgress) => void;
  /** Ends the run with CANCELLED between images and between stages. */
  signal?: AbortSignal;
  /** Embedding worker threads; defaults to the config's `threads`. */
  workers?: number;
}

/** The embedding dependencies of a run, built from the resolved config in this one place. */
export function embeddingDeps(cfg: FrwConfig, hooks: RunHooks = {}): EmbeddingRunDeps {
  return {
    embeddingsRoot: workspacePaths(cfg).embeddings,
    facesRoot: workspacePaths(cfg).faces,
    modelRoot: cfg.modelRoot,
    workers: hooks.workers ?? cfg.threads,
    signal: hooks.signal,
    onStage: hooks.onStage,
    onEmbedProgress: hooks.onEmbedProgress,
  };
}

/** A run folder's default name: what was run on what, and when (sortable, filesystem-safe). */
export function runId(dataset: string, what: string, now = new Date()): string {
  return `${dataset}-${what}-${now.toISOString().replace(/[:.]/g, '-')}`;
}

import { resolveConfig } from '../core/config.js';
import type { DatasetManifest } from '../datasets/manifest.js';
import { openDataset } from '../datasets/resolve.js';
import { embedForRun } from '../pipeline/embed-dataset.js';
import { loadEmbeddingTable, type EmbeddingTable } from '../pipeline/embedding-table.js';
import { defaultPipelines } from '../pipeline/specs.js';
import { embeddingDeps } from '../usecases/deps.js';

/** The LFW embeddings of one model (default pipeline), from the workspace cache; computed first when missing. */
export async function lfwEmbeddings(modelId: string): Promise<{ manifest: DatasetManifest; table: EmbeddingTable }> {
  const cfg = resolveConfig({}, process.env);
  const manifest = await openDataset('lfw', cfg, {});
  const [spec] = defaultPipelines([modelId], false, cfg);
  const e = await embedForRun(manifest, spec, embeddingDeps(cfg));
  return { manifest, table: loadEmbeddingTable(manifest, e.cacheDir, spec.embedder.output.dim) };
}

/** Seconds a call takes, with its value. */
export function time<T>(f: () => T): { value: T; s: number } {
  const t = performance.now();
  const value = f();
  return { value, s: (performance.now() - t) / 1000 };
}

/** Seconds an async call takes, with its value. */
export async function timeAsync<T>(f: () => Promise<T>): Promise<{ value: T; s: number }> {
  const t = performance.now();
  const value = await f();
  return { value, s: (performance.now() - t) / 1000 };
}

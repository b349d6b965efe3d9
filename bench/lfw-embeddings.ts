import { resolveConfig, workspacePaths } from '../core/config.js';
import { DEFAULT_DECODE } from '../datasets/image.js';
import type { DatasetManifest } from '../datasets/manifest.js';
import { openDataset } from '../datasets/resolve.js';
import { embedDataset } from '../pipeline/embed-dataset.js';
import { loadEmbeddingTable, type EmbeddingTable } from '../pipeline/embedding-table.js';
import { getDetectorCard, getEmbedderCard } from '../models/registry.js';

/** The LFW embeddings of one model (default pipeline), from the workspace cache; computed first when missing. */
export async function lfwEmbeddings(modelId: string): Promise<{ manifest: DatasetManifest; table: EmbeddingTable }> {
  const cfg = resolveConfig({}, process.env);
  const ws = workspacePaths(cfg);
  const manifest = await openDataset('lfw', cfg, {});
  const spec = { embedder: getEmbedderCard(modelId, ws.userModels), detector: getDetectorCard('scrfd-2.5g', ws.userModels), policy: 'central-largest' as const, decode: DEFAULT_DECODE, flip: false };
  const e = await embedDataset(manifest, spec, { embeddingsRoot: ws.embeddings, modelRoot: cfg.modelRoot, workers: cfg.threads });
  return { manifest, table: loadEmbeddingTable(manifest, e.cacheDir, spec.embedder.output.dim) };
}

/** Seconds a call takes, with its value. */
export function time<T>(f: () => T): { value: T; s: number } {
  const t = performance.now();
  const value = f();
  return { value, s: (performance.now() - t) / 1000 };
}

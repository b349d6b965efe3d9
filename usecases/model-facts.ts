import fs from 'node:fs';
import { errorMessage } from '../core/errors.js';
import { modelCost, type ModelCost } from '../models/cost.js';
import { modelFiles, resolveModelFile } from '../models/files.js';
import { getEmbedderCard } from '../models/registry.js';
import type { EmbedSummary } from '../pipeline/embed-dataset.js';

/**
 * What a comparison table says about a model beside its accuracy: file size, embedding dimension and licence from
 * its card, parameters and multiply-adds from models/cost.ts, and the embedding speed measured when its embeddings
 * were computed. Every missing fact carries the reason; none is estimated.
 */
export interface ModelFacts {
  /** Bytes of the model's files (a TF.js model.json and its shards together); null with `note` when unknown. */
  bytes: number | null;
  dim: number | null;
  licence: string | null;
  cost: ModelCost | null;
  /** Why `cost` is null: "not counted: …". */
  costNote: string | null;
  /** Why card facts are missing or may not be the run's (a card that changed since). */
  note: string | null;
}

export type MeasuredSpeed = NonNullable<EmbedSummary['timing']>;

/** The run's record of one model, as far as the facts need it. */
export interface RunModelRef {
  id: string;
  sha256?: string;
  dim?: number;
}

const costs = new Map<string, Promise<ModelCost>>();

/** The facts of a model a run scored (its id and sha256 as the run recorded them). A fused score has no card. */
export async function modelFacts(model: RunModelRef | null, label: string, roots: { modelRoot: string; userModelsDir: string }): Promise<ModelFacts> {
  if (!model) return { bytes: null, dim: null, licence: null, cost: null, costNote: 'not counted: a fused score has no model file', note: `${label} is a fused score: no model file, card or licence of its own` };
  let card;
  try {
    card = getEmbedderCard(model.id, roots.userModelsDir);
  } catch (e) {
    return { bytes: null, dim: model.dim ?? null, licence: null, cost: null, costNote: 'not counted: no card', note: `no card for ${model.id}: ${errorMessage(e)}` };
  }
  const note = model.sha256 && model.sha256 !== card.sha256 ? `the card of ${model.id} now pins sha256 ${card.sha256.slice(0, 12)}…, the run measured ${model.sha256.slice(0, 12)}…: file size, licence and cost are the card's today` : null;
  let file: string;
  try {
    file = resolveModelFile(card, roots.modelRoot);
  } catch (e) {
    return { bytes: null, dim: model.dim ?? card.output.dim, licence: card.licence, cost: null, costNote: `not counted: ${errorMessage(e)}`, note: note ?? `model file missing: ${errorMessage(e)}` };
  }
  let bytes: number | null = null;
  try {
    bytes = modelFiles(file, card.format).reduce((sum, f) => sum + fs.statSync(f).size, 0);
  } catch {
    bytes = null;
  }
  // Counted once per file and digest per process: an ONNX graph is parsed to count.
  const key = `${file}\0${card.sha256}`;
  if (!costs.has(key)) costs.set(key, modelCost(card, file));
  let cost: ModelCost | null = null;
  let costNote: string | null = null;
  try {
    cost = await costs.get(key)!;
  } catch (e) {
    costs.delete(key);
    costNote = `not counted: ${errorMessage(e)}`;
  }
  return { bytes, dim: model.dim ?? card.output.dim, licence: card.licence, cost, costNote, note };
}

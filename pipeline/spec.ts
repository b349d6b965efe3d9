import path from 'node:path';
import { canonicalJson, sha256Hex } from '../core/hash.js';
import type { DecodeOptions } from '../datasets/image.js';
import type { DetectorCard, EmbedderCard } from '../models/card.js';
import type { FacePolicy } from '../models/detect/policy.js';

/**
 * Everything that changes an embedding. Two runs with equal specs produce identical vectors, so the spec (minus
 * names) is the embedding cache's key and what a deployment config pins.
 */
export interface PipelineSpec {
  embedder: EmbedderCard;
  /** null: images are pre-aligned crops, detection is skipped. */
  detector: DetectorCard | null;
  /** Detector input [width, height]; defaults to the card's. */
  detSize?: [number, number];
  policy: FacePolicy;
  decode: DecodeOptions;
  flip: boolean;
}

/** Bump when the cache's bytes or the pipeline's arithmetic change meaning. */
const PIPELINE_VERSION = 1;

/** The settings that define the pipeline, by content (weights by sha256, not by name or path). */
export function pipelineSettings(spec: PipelineSpec): Record<string, unknown> {
  const e = spec.embedder;
  const d = spec.detector;
  return {
    version: PIPELINE_VERSION,
    embedder: { sha256: e.sha256, input: e.input, output: e.output, alignment: e.alignment },
    detector: d && { sha256: d.sha256, family: d.family, input: { ...d.input, size: spec.detSize ?? d.input.size }, scoreThreshold: d.scoreThreshold, nmsThreshold: d.nmsThreshold },
    policy: spec.detector ? spec.policy : 'pre-aligned',
    decode: spec.decode,
    flip: spec.flip,
  };
}

export const pipelineKey = (spec: PipelineSpec): string => sha256Hex(canonicalJson(pipelineSettings(spec)));

/** Cache folder: readable by model id, unique by content key. */
export const pipelineCacheDir = (embeddingsRoot: string, spec: PipelineSpec): string => cacheDirOf(embeddingsRoot, spec.embedder.id, pipelineKey(spec));

/** The same folder from a model id and a recorded pipeline key (a run folder's models[].pipelineKey). */
export const cacheDirOf = (embeddingsRoot: string, modelId: string, key: string): string => path.join(embeddingsRoot, modelId, key.slice(0, 16));

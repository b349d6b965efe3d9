import path from 'node:path';
import { FrwError } from '../core/errors.js';
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

/**
 * The settings that define a pipeline, by content (weights by sha256, not by name or path): what run folders record
 * per model, what a deployment config pins, and — hashed — the embedding cache's key. Field order and content are
 * part of that key: change them only with PIPELINE_VERSION.
 */
export interface PipelineSettings {
  version: number;
  embedder: { sha256: string; input: EmbedderCard['input']; output: EmbedderCard['output']; alignment: EmbedderCard['alignment'] };
  detector: { sha256: string; family: DetectorCard['family']; input: DetectorCard['input']; scoreThreshold: number; nmsThreshold: number } | null;
  /** `pre-aligned` when there is no detector (the crops are taken as aligned). */
  policy: FacePolicy | 'pre-aligned';
  decode: DecodeOptions;
  flip: boolean;
}

export function pipelineSettings(spec: PipelineSpec): PipelineSettings {
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

/**
 * The inverse of pipelineSettings: the spec that recorded settings describe, given the cards they name (a deployment
 * config carries both). Refused when the cards are not the ones the settings pin, or when the rebuilt spec would not
 * give `expectedKey` — so a pipeline is never silently changed on its way from tuning to the engine.
 */
export function specFromSettings(settings: PipelineSettings, embedder: EmbedderCard, detector: DetectorCard | null, expectedKey?: string): PipelineSpec {
  if (settings.version !== PIPELINE_VERSION) throw new FrwError('INTEGRITY', `pipeline settings of version ${settings.version}; this frw reads version ${PIPELINE_VERSION}`);
  if (embedder.sha256 !== settings.embedder.sha256) throw new FrwError('INTEGRITY', `the embedder card pins sha256 ${embedder.sha256}, the pipeline settings ${settings.embedder.sha256}`);
  if ((detector === null) !== (settings.detector === null) || (detector && detector.sha256 !== settings.detector!.sha256)) {
    throw new FrwError('INTEGRITY', `the detector card (${detector?.id ?? 'none'}) is not the detector the pipeline settings pin`);
  }
  const spec: PipelineSpec = {
    embedder,
    detector,
    detSize: settings.detector?.input.size,
    // Pre-aligned pipelines never choose a face; any policy gives the same key.
    policy: settings.policy === 'pre-aligned' ? 'central-largest' : settings.policy,
    decode: settings.decode,
    flip: settings.flip,
  };
  // The settings must be exactly what these cards give (input, output, alignment, detector thresholds): a copy
  // edited to disagree with its card would otherwise be written on as if it were true.
  if (canonicalJson(pipelineSettings(spec)) !== canonicalJson(settings)) throw new FrwError('INTEGRITY', 'the pipeline settings disagree with the model cards they pin (input, output, alignment or detector settings)');
  const key = pipelineKey(spec);
  if (expectedKey !== undefined && key !== expectedKey) throw new FrwError('INTEGRITY', `the pipeline settings give key ${key}, but ${expectedKey} is recorded`);
  return spec;
}

export const pipelineKey = (spec: PipelineSpec): string => sha256Hex(canonicalJson(pipelineSettings(spec)));

/** Cache folder: readable by model id, unique by content key. */
export const pipelineCacheDir = (embeddingsRoot: string, spec: PipelineSpec): string => cacheDirOf(embeddingsRoot, spec.embedder.id, pipelineKey(spec));

/** The same folder from a model id and a recorded pipeline key (a run folder's models[].pipelineKey). */
export const cacheDirOf = (embeddingsRoot: string, modelId: string, key: string): string => path.join(embeddingsRoot, modelId, key.slice(0, 16));

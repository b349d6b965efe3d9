import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../core/lock.js';
import type { RuntimeKind } from '../models/runtime/types.js';

/** What a worker measured of the embedding stage (preprocessing, inference, flip, normalisation) for its chunks. */
export interface StageTime {
  /** Milliseconds inside embedFaces, summed over the worker's chunks (each worker's own clock). */
  embedMs: number;
  /** Faces embedded (images that gave a face). */
  faces: number;
  runtime: RuntimeKind | null;
}

/**
 * The embedding stage's speed as measured when a pipeline's embeddings were computed, kept beside them in the cache
 * (`timing.json`), so a later run that reads them from the cache reports when and where they were measured.
 */
export interface EmbedTiming {
  /** Embedding-stage milliseconds per face: one single-threaded session's time per face (workers ran in parallel). */
  msPerFace: number;
  faces: number;
  runtime: RuntimeKind | null;
  /** Threads of one inference session (workers each hold their own). */
  sessionThreads: number;
  workers: number;
  /** Whole-pipeline wall-clock (decode, detect, align, embed, on `workers` in parallel) per image computed. */
  wallMsPerImage: number;
  images: number;
  dataset: string;
  measuredAt: string;
  machine: { cpu: string; cores: number; platform: string };
}

const FILE = 'timing.json';

export const addStageTime = (into: StageTime, t: StageTime): void => {
  into.embedMs += t.embedMs;
  into.faces += t.faces;
  into.runtime ??= t.runtime;
};

/** The measurement of one embedding session, null when it embedded no face (nothing was timed). */
export function timingOf(stage: StageTime, p: { workers: number; images: number; wallSeconds: number; dataset: string }): EmbedTiming | null {
  if (stage.faces === 0) return null;
  const cpus = os.cpus();
  return {
    msPerFace: stage.embedMs / stage.faces,
    faces: stage.faces,
    runtime: stage.runtime,
    sessionThreads: 1,
    workers: p.workers,
    wallMsPerImage: (1000 * p.wallSeconds) / Math.max(1, p.images),
    images: p.images,
    dataset: p.dataset,
    measuredAt: new Date().toISOString(),
    machine: { cpu: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length, platform: `${os.platform()} ${os.arch()}` },
  };
}

/** Append a measurement to the cache folder's timing.json (the caller holds the cache's write lock). */
export function recordTiming(cacheDir: string, t: EmbedTiming): void {
  writeFileAtomic(path.join(cacheDir, FILE), JSON.stringify({ sessions: [...readTimings(cacheDir), t] }, null, 2) + '\n');
}

/** Every measurement kept for a cache folder, oldest first; [] for caches computed before frw measured them. */
export function readTimings(cacheDir: string): EmbedTiming[] {
  try {
    const j = JSON.parse(fs.readFileSync(path.join(cacheDir, FILE), 'utf8')) as { sessions?: EmbedTiming[] };
    return Array.isArray(j.sessions) ? j.sessions : [];
  } catch {
    return []; // absent (an older cache), or unreadable: not measured, never a guess
  }
}

/** The newest measurement of a cache folder, or null. */
export const latestTiming = (cacheDir: string): EmbedTiming | null => readTimings(cacheDir).at(-1) ?? null;

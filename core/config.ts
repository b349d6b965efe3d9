import path from 'node:path';
import os from 'node:os';
import { PROJECT_ROOT } from './paths.js';
import { FrwError } from './errors.js';

/**
 * Everything a command needs to know about where things live and how hard to work, resolved once at the entry
 * point (flag, then environment, then default) and passed down. Nothing below the entry point reads process.env.
 */
export interface FrwConfig {
  /** Folder holding the named datasets (`lfw`, `lfw-mini`, `five-celeb`, …). */
  dataRoot: string;
  /** Folder holding model files named by cards (`scrfd_2.5g_bnkps.onnx`, …). */
  modelRoot: string;
  /** Writable folder for caches, user model cards and runs. Never inside the data or model root. */
  workspace: string;
  /** Worker threads for inference; defaults to the machine's cores. */
  threads: number;
  /** Chromium, for printing reports to PDF (Debian's; a browser is never downloaded). */
  chromium: string;
}

export interface ConfigFlags {
  dataRoot?: string;
  modelRoot?: string;
  workspace?: string;
  threads?: string | number;
  chromium?: string;
}

export const ENV_NAMES = {
  dataRoot: 'FRW_DATA_ROOT',
  modelRoot: 'FRW_MODEL_ROOT',
  workspace: 'FRW_WORKSPACE',
  threads: 'FRW_THREADS',
  chromium: 'FRW_CHROMIUM',
} as const;

export function resolveConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = {}): FrwConfig {
  const pick = (k: keyof typeof ENV_NAMES): string | undefined => {
    const v = flags[k] ?? env[ENV_NAMES[k]];
    return v === undefined || v === '' ? undefined : String(v);
  };
  const threadsRaw = pick('threads');
  const threads = threadsRaw === undefined ? os.availableParallelism() : Number(threadsRaw);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new FrwError('BAD_INPUT', `threads must be a positive integer, got ${JSON.stringify(threadsRaw)}`);
  }
  return {
    dataRoot: path.resolve(pick('dataRoot') ?? path.join(PROJECT_ROOT, '..', 'shared', 'datasets')),
    modelRoot: path.resolve(pick('modelRoot') ?? path.join(PROJECT_ROOT, '..', 'shared', 'models')),
    workspace: path.resolve(pick('workspace') ?? path.join(PROJECT_ROOT, '.frw')),
    threads,
    chromium: pick('chromium') ?? '/usr/bin/chromium',
  };
}

/** Sub-folders of the workspace, named in one place. */
export const workspacePaths = (cfg: Pick<FrwConfig, 'workspace'>) => ({
  embeddings: path.join(cfg.workspace, 'cache', 'embeddings'),
  /** Detections per image and detector settings, shared by every embedder (pipeline/face-cache.ts). */
  faces: path.join(cfg.workspace, 'cache', 'faces'),
  manifests: path.join(cfg.workspace, 'cache', 'manifests'),
  userModels: path.join(cfg.workspace, 'models'),
  runs: path.join(cfg.workspace, 'runs'),
  /** Decision reports built from the workbench (one folder each: report.html, report.pdf, gate.json, deploy.json). */
  reports: path.join(cfg.workspace, 'reports'),
  /** The engine's default gallery (`frw engine … --gallery` overrides it). */
  gallery: path.join(cfg.workspace, 'engine', 'gallery.db'),
  /** Audit decisions, one folder per dataset (`frw audit decide`): beside the data, never in it. */
  audit: path.join(cfg.workspace, 'audit'),
});

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { FrwError } from '../core/errors.js';
import { canonicalJson, sha256Hex } from '../core/hash.js';
import { PROJECT_ROOT } from '../core/paths.js';
import type { Interval } from '../experiments/metrics/index.js';
import type { PipelineSettings } from '../pipeline/spec.js';
import type { MatchMode } from '../search/templates.js';
import type { DetectorCard, EmbedderCard } from '../models/card.js';
import { confinedModelFile, modelDigest } from '../models/files.js';
import { listCards } from '../models/registry.js';

/**
 * The deployment config: a tuned threshold pinned to the exact model, detector and preprocessing it was measured
 * with, plus what it is expected to do. Published schema: engine/deploy-config.schema.json; validated, and its
 * content hash recomputed, on every load.
 */
export const DEPLOY_SCHEMA_VERSION = 1;
export const DEPLOY_SCHEMA_PATH = path.join(PROJECT_ROOT, 'engine', 'deploy-config.schema.json');

export type ExpectedRates =
  | { kind: 'verification'; fmr: Interval; fnmr: Interval; /** One-sided upper bound of FMR (configs from before it lack it). */ fmrUpper?: Interval; comparisons: { genuine: number; impostor: number } }
  | { kind: 'identification'; fpir: Interval; fnir: Interval; /** One-sided upper bound of FPIR (configs from before it lack it). */ fpirUpper?: Interval; gallery: { identities: number; vectors: number }; probes: { mated: number; nonMated: number } };

/** How a deployed threshold may have been chosen (the schema's rule.kind enum lists the same, checked by a test). */
export const DEPLOY_RULE_KINDS = ['fmr', 'fmr-bound', 'fpir', 'fpir-bound', 'eer', 'best-accuracy', 'youden', 'fixed'] as const;
export type DeployRuleKind = (typeof DEPLOY_RULE_KINDS)[number];

export interface DeployConfig {
  schemaVersion: typeof DEPLOY_SCHEMA_VERSION;
  tool: { name: 'fr-workbench'; version: string };
  createdAt: string;
  model: EmbedderCard;
  detector: DetectorCard | null;
  /** Alignment, preprocessing, detector input and thresholds, face policy, decode settings, flip. */
  pipeline: PipelineSettings;
  pipelineKey: string;
  metric: 'cosine';
  aggregation: MatchMode;
  /** The search the threshold was measured with; the engine uses the same, so boundary scores agree bit for bit. */
  search: 'exact' | 'flat';
  threshold: { similarity: number; cosineDistance: number; l2Distance: number };
  /** How the threshold was chosen; `fixed` is a threshold set by hand in the workbench (`threshold` holds it). */
  rule: { kind: DeployRuleKind; target?: number; threshold?: number; description: string };
  expected: ExpectedRates;
  source: { run: string; runKind: 'eval' | 'identify'; dataset: string; datasetManifestHash: string };
  contentHash: string;
}

export const contentHashOf = (c: Omit<DeployConfig, 'contentHash'> | DeployConfig): string => {
  const { contentHash: _omit, ...rest } = c as DeployConfig;
  return sha256Hex(canonicalJson(rest));
};

let validator: ValidateFunction | null = null;
function validate(json: unknown): ErrorObject[] {
  if (!validator) {
    const req = createRequire(path.join(PROJECT_ROOT, 'package.json'));
    const Ajv = req('ajv') as typeof import('ajv').default;
    validator = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(fs.readFileSync(DEPLOY_SCHEMA_PATH, 'utf8')));
  }
  return validator(json) ? [] : [...(validator.errors ?? [])];
}

/** Parse and check a config: JSON, then the schema (every violation listed), then the content hash. */
export function parseDeployConfig(text: string, source: string): DeployConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FrwError('BAD_INPUT', `${source} is not valid JSON: ${(e as Error).message}`);
  }
  const errors = validate(json);
  if (errors.length) {
    throw new FrwError('BAD_INPUT', `${source} does not follow the deployment config schema (engine/deploy-config.schema.json):\n  - ${errors.map((e) => `${e.instancePath || '(root)'} ${e.message}`).join('\n  - ')}`, { errors });
  }
  const config = json as DeployConfig;
  const actual = contentHashOf(config);
  if (actual !== config.contentHash) {
    throw new FrwError('INTEGRITY', `${source} was changed after export: its content hash is ${actual}, the file says ${config.contentHash}. Export it again rather than editing it.`);
  }
  return config;
}

export function loadDeployConfig(file: string): DeployConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new FrwError('NOT_FOUND', `cannot read deployment config ${file}: ${(e as Error).message}`);
  }
  return parseDeployConfig(text, file);
}

/**
 * Refuse a config whose model or detector file is not the one it was tuned with (sha256 of the actual bytes), or
 * lies outside the model root and the workspace's registered checkpoints (confinedModelFile). Messages name the
 * card and its `file` as written, never a resolved server path.
 */
export async function verifyConfigFiles(config: DeployConfig, modelRoot: string, userModelsDir?: string): Promise<void> {
  const registered = userModelsDir ? registeredModelFiles(userModelsDir) : [];
  for (const card of [config.model, config.detector]) {
    if (!card) continue;
    const file = confinedModelFile(card, modelRoot, registered);
    const actual = await modelDigest(file, card.format);
    if (actual !== card.sha256) {
      throw new FrwError('INTEGRITY', `the config was tuned with ${card.id} sha256 ${card.sha256}, but the installed ${card.file} has sha256 ${actual}; its threshold does not apply to this file`, { expected: card.sha256, actual });
    }
  }
}

/** Real paths of the checkpoints users registered in this workspace (`frw model add`, the workbench's Models view). */
function registeredModelFiles(userModelsDir: string): string[] {
  const out: string[] = [];
  for (const r of listCards(userModelsDir)) {
    if (r.origin !== 'user' || r.card.file.startsWith('npm:')) continue;
    try {
      out.push(fs.realpathSync(r.card.file));
    } catch {
      // a registered file since removed: it simply does not count
    }
  }
  return out;
}

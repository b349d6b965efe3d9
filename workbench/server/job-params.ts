import path from 'node:path';
import { oneOf, listOf } from '../../core/choice.js';
import { workspacePaths, type FrwConfig } from '../../core/config.js';
import { FrwError } from '../../core/errors.js';
import type { DatasetManifest } from '../../datasets/manifest.js';
import { DEFAULT_FMR_TARGETS, DEFAULT_RULES } from '../../experiments/evaluate.js';
import { DEFAULT_FPIR_TARGETS } from '../../experiments/identification/evaluate.js';
import { FEW_IMAGES_RULES, makeSplit, type FewImagesRule } from '../../experiments/identification/split.js';
import { allPairsCounts } from '../../experiments/all-pairs.js';
import { checkProtocol, defaultProtocol, identityIndex, PROTOCOLS, type ProtocolName } from '../../experiments/protocols.js';
import { defaultPipelines } from '../../pipeline/specs.js';
import { MATCH_MODES } from '../../search/templates.js';
import { readRunFolder } from '../../runs/read.js';
import { runId } from '../../usecases/deps.js';
import { buildDeployConfig, finalizeConfig, parseRule } from '../../usecases/export-config.js';
import { BUDGET_FLAGS, checkGateBudgets, type GateBudgets, type GateRequest } from '../../usecases/gate.js';
import type { WorkbenchDatasets } from './datasets-state.js';
import type { JobRequest } from './job-protocol.js';
import type { RunFolders } from './run-folders.js';

/**
 * Upper bounds on what a browser may ask a job to do. They are far above what the views offer and below what would
 * hold the machine for hours or exhaust its memory; the CLI, run by someone at the machine, has none.
 */
export const JOB_LIMITS = {
  models: 8,
  /** Bootstrap replicates: 10,000 gives a 95% interval's ends to about ±0.2 percentage points. */
  bootstrap: 10_000,
  /** Listed impostor pairs (a pair list of 10 M is about 200 MB per model); all of LFW's 87.5 M are streamed instead. */
  impostorSample: 10_000_000,
  seed: 2 ** 32 - 1,
  enrol: 100,
  /** Bootstrap replicates × listed impostor pairs: each replicate resamples every pair (10,000 × 1 M at most). */
  bootstrapWork: 1e10,
} as const;

type Body = Record<string, unknown>;

/** What a card id looks like (models/card.ts): also keeps a list from being smuggled in as "a,b,c". */
const MODEL_ID = /^[a-z0-9][a-z0-9._-]*$/;

/** An integer in [min, max] (`dflt` when absent): anything else is BAD_INPUT naming the field and the bound. */
export function bodyInt(v: unknown, what: string, min: number, max: number, dflt?: number): number | undefined {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new FrwError('BAD_INPUT', `${what} must be an integer in [${min}, ${max}]; got ${JSON.stringify(v)}`, { field: what, min, max });
  return v;
}

export function bodyDataset(b: Body): string {
  if (typeof b.dataset !== 'string' || b.dataset === '') throw new FrwError('BAD_INPUT', 'dataset must be the name of a dataset under the data root');
  return b.dataset;
}

function bodyModels(b: Body): string[] {
  if (!Array.isArray(b.models) || b.models.length === 0 || b.models.some((m) => typeof m !== 'string')) throw new FrwError('BAD_INPUT', 'models must be a non-empty list of model ids');
  if (b.models.length > JOB_LIMITS.models) throw new FrwError('BAD_INPUT', `models: at most ${JOB_LIMITS.models} models in one run`, { field: 'models', max: JOB_LIMITS.models });
  for (const m of b.models as string[]) if (!MODEL_ID.test(m)) throw new FrwError('BAD_INPUT', `models: ${JSON.stringify(m)} is not a model id`);
  if (new Set(b.models).size !== b.models.length) throw new FrwError('BAD_INPUT', 'models: a model is named twice');
  return b.models as string[];
}

/** Each replicate resamples every listed pair: bootstrap × impostorSample is bounded. */
function checkBootstrapWork(bootstrap: number, impostorSample: number | undefined): void {
  if (impostorSample !== undefined && bootstrap * impostorSample > JOB_LIMITS.bootstrapWork) {
    throw new FrwError('BAD_INPUT', `bootstrap × impostorSample must be at most ${JOB_LIMITS.bootstrapWork.toExponential()} (${bootstrap} × ${impostorSample} asked); lower either`, { field: 'bootstrap', max: JOB_LIMITS.bootstrapWork });
  }
}

const runFolder = (cfg: FrwConfig, id: string) => path.join(workspacePaths(cfg).runs, id);

/** POST /api/jobs/eval's body → a checked job request (the model cards and protocol resolved, nothing started). */
export function evalJobRequest(b: Body, manifest: DatasetManifest, cfg: FrwConfig): JobRequest & { kind: 'eval' } {
  const models = bodyModels(b);
  const seed = bodyInt(b.seed, 'seed', 0, JOB_LIMITS.seed, 1)!;
  const impostorSample = bodyInt(b.impostorSample, 'impostorSample', 1, JOB_LIMITS.impostorSample);
  const bootstrap = bodyInt(b.bootstrap, 'bootstrap', 0, JOB_LIMITS.bootstrap, 200)!;
  checkBootstrapWork(bootstrap, impostorSample);
  const pipelines = defaultPipelines(models, b.flip === true, cfg);
  const protocol = b.protocol === undefined ? defaultProtocol(manifest) : oneOf(PROTOCOLS, b.protocol, 'protocol');
  checkProtocol(manifest, protocol);
  return {
    kind: 'eval',
    manifest,
    spec: { protocol, pipelines, seed, impostorSample, evaluation: { fmrTargets: DEFAULT_FMR_TARGETS, rules: DEFAULT_RULES, seed, bootstrap, level: 0.95, view: 'similarity' } },
    out: runFolder(cfg, runId(manifest.name, protocol)),
  };
}

/** POST /api/jobs/identify's body → a checked job request. */
export function identifyJobRequest(b: Body, manifest: DatasetManifest, cfg: FrwConfig): JobRequest & { kind: 'identify' } {
  const models = bodyModels(b);
  const seed = bodyInt(b.seed, 'seed', 0, JOB_LIMITS.seed, 1)!;
  const enrol = bodyInt(b.enrol, 'enrol', 1, JOB_LIMITS.enrol, 1)!;
  const bootstrap = bodyInt(b.bootstrap, 'bootstrap', 0, JOB_LIMITS.bootstrap, 200)!;
  const modes = listOf(MATCH_MODES, b.modes ?? ['raw', 'mean'], 'modes');
  const fewImages = oneOf(FEW_IMAGES_RULES, b.fewImages ?? 'unknown', 'fewImages');
  const pipelines = defaultPipelines(models, b.flip === true, cfg);
  // Checked here, not after the job has embedded the whole dataset: the split must leave strangers to probe with.
  if (makeSplit(manifest, { enrol, seed, fewImages }).nonMated.image.length === 0) {
    throw new FrwError('BAD_INPUT', `no unknown people: ${manifest.name} has no unknown set, and with enrol ${enrol} and fewImages "${fewImages}" no identity is left over as a stranger; register the dataset with an unknown folder or keep few-image identities as unknowns`);
  }
  return {
    kind: 'identify',
    manifest,
    spec: { pipelines, modes, split: { enrol, seed, fewImages }, index: 'flat', options: { fpirTargets: DEFAULT_FPIR_TARGETS, seed, bootstrap, level: 0.95 } },
    out: runFolder(cfg, runId(manifest.name, 'identify')),
  };
}

/**
 * POST /api/jobs/report's body → a checked job request: the config built exactly as Export builds it (run, model,
 * rule, templates), measured on the run's own dataset with the run's protocol, seed and impostor sample (an
 * identification run: its own enrolment split).
 */
export async function reportJobRequest(b: Body, cfg: FrwConfig, runs: RunFolders, datasets: WorkbenchDatasets): Promise<JobRequest & { kind: 'report' }> {
  if (typeof b.run !== 'string' || typeof b.model !== 'string' || typeof b.rule !== 'string') throw new FrwError('BAD_INPUT', 'give run, model and rule (as Export takes them) and budgets');
  const runDir = runs.dir(b.run);
  const mode = oneOf(MATCH_MODES, b.mode ?? 'mean', 'mode');
  const config = finalizeConfig(buildDeployConfig({ runDir, model: b.model, mode, rule: parseRule(b.rule), userModelsDir: workspacePaths(cfg).userModels }));
  const raw = (b.budgets ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new FrwError('BAD_INPUT', 'budgets must be an object such as {"maxFmr": 0.001}');
  const budgets: GateBudgets = {};
  for (const k of Object.keys(raw)) {
    if (!Object.hasOwn(BUDGET_FLAGS, k)) throw new FrwError('BAD_INPUT', `unknown budget "${k}"; the budgets are ${Object.keys(BUDGET_FLAGS).join(', ')}`);
    budgets[k as keyof GateBudgets] = raw[k] as number;
  }
  checkGateBudgets(budgets, config.expected.kind);
  const level = b.level === undefined ? 0.95 : b.level;
  if (typeof level !== 'number' || !(level > 0.5 && level < 1)) throw new FrwError('BAD_INPUT', `level must be in (0.5, 1) for a one-sided bound, got ${JSON.stringify(b.level)}`);
  const bootstrap = bodyInt(b.bootstrap, 'bootstrap', 0, JOB_LIMITS.bootstrap, 1000)!;
  const rec = readRunFolder(runDir).record as { protocol?: ProtocolName; seed?: number; impostorSampling?: { sampled: number } | null; dataset: { name: string }; split?: { enrol: number; seed: number; unknownShare?: number; fewImages: FewImagesRule } };
  const manifest = await datasets.open(rec.dataset.name);
  const base = { config, manifest, budgets, level, bootstrap };
  let gate: GateRequest;
  if (config.expected.kind === 'identification') {
    // An identification run's own split (enrolment count, seed, strangers held out, few-image rule) is the gate's.
    const sp = rec.split!;
    gate = { ...base, seed: sp.seed, enrol: sp.enrol, unknownShare: sp.unknownShare, fewImages: sp.fewImages };
  } else {
    const protocol = rec.protocol ?? defaultProtocol(manifest);
    const impostorSample = bodyInt(b.impostorSample, 'impostorSample', 1, JOB_LIMITS.impostorSample) ?? rec.impostorSampling?.sampled;
    if (protocol === 'all-pairs' && impostorSample === undefined && allPairsCounts(identityIndex(manifest)).impostor > JOB_LIMITS.impostorSample) {
      throw new FrwError('BAD_INPUT', `this run streamed every impostor pair of ${manifest.name}; a decision report lists its comparisons: give impostorSample (at most ${JOB_LIMITS.impostorSample.toLocaleString('en')})`, { field: 'impostorSample' });
    }
    checkBootstrapWork(bootstrap, impostorSample);
    gate = { ...base, protocol, seed: rec.seed ?? 1, impostorSample };
  }
  return {
    kind: 'report',
    gate,
    out: path.join(workspacePaths(cfg).reports, runId(manifest.name, 'report')),
    producedBy: `the workbench's Export view: run ${b.run}, model ${b.model}, rule ${b.rule}`,
  };
}

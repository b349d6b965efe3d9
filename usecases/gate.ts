import { workspacePaths, type FrwConfig } from '../core/config.js';
import { FrwError } from '../core/errors.js';
import { TOOL_VERSION } from '../core/version.js';
import { readAttributeFile } from '../datasets/attributes.js';
import { namesIdentities, type DatasetManifest } from '../datasets/manifest.js';
import { specFromConfig } from '../engine/engine.js';
import { verifyConfigFiles, type DeployConfig } from '../engine/deploy-config.js';
import { DERIVED_ATTRIBUTES, derivedAttributes } from '../experiments/attributes.js';
import { measureDecision, type DecisionMeasurement } from '../experiments/decision.js';
import { checkDifferential, checkRate, overallVerdict, type GateCheck, type GateResult } from '../experiments/gate.js';
import { buildComparisons, checkProtocol, defaultProtocol, identityIndex, type ProtocolName } from '../experiments/protocols.js';
import { scoreComparisons } from '../experiments/scoring.js';
import { measureOpenSetDecision } from '../experiments/identification/decision.js';
import { evaluateMode } from '../experiments/identification/evaluate.js';
import { makeSplit, type FewImagesRule } from '../experiments/identification/split.js';
import { createIndexFactory } from '../search/indexes.js';
import { loadEmbeddingTable } from '../pipeline/embedding-table.js';
import { embedToCache } from './embed.js';
import type { RunHooks } from './deps.js';

/** The budgets a gate checks; at least one. Rates in (0, 1); differentials (max/min over groups) >= 1. */
export interface GateBudgets {
  maxFmr?: number;
  maxFnmr?: number;
  /** Identification configs: strangers answered with someone, mated probes not answered with their own identity. */
  maxFpir?: number;
  maxFnir?: number;
  maxFmrDifferential?: number;
  maxFnmrDifferential?: number;
}

export const BUDGET_FLAGS: Record<keyof GateBudgets, string> = { maxFmr: '--max-fmr', maxFnmr: '--max-fnmr', maxFpir: '--max-fpir', maxFnir: '--max-fnir', maxFmrDifferential: '--max-fmr-differential', maxFnmrDifferential: '--max-fnmr-differential' };

/** The rate budgets each kind of config takes; the differential budgets apply to both (FPIR/FNIR for identification). */
const RATE_BUDGETS = { verification: ['maxFmr', 'maxFnmr'], identification: ['maxFpir', 'maxFnir'] } as const;

/**
 * The budgets given, checked: at least one; rates in (0, 1), differentials finite and >= 1; rate budgets of the
 * config's kind (FMR/FNMR for verification, FPIR/FNIR for identification).
 */
export function checkGateBudgets(b: GateBudgets, kind: keyof typeof RATE_BUDGETS): Array<[keyof GateBudgets, number]> {
  const given = (Object.keys(BUDGET_FLAGS) as Array<keyof GateBudgets>).filter((k) => b[k] !== undefined).map((k): [keyof GateBudgets, number] => [k, b[k]!]);
  if (given.length === 0) throw new FrwError('BAD_INPUT', `give at least one budget: ${Object.values(BUDGET_FLAGS).join(', ')}`);
  for (const [name, v] of given) {
    const differential = name.endsWith('Differential');
    if (typeof v !== 'number' || (differential ? !(v >= 1 && Number.isFinite(v)) : !(v > 0 && v < 1))) throw new FrwError('BAD_INPUT', `${BUDGET_FLAGS[name]} must be ${differential ? 'a ratio >= 1' : 'a rate in (0, 1)'}, got ${String(v)}`, { field: name });
  }
  const other = given.find(([name]) => !name.endsWith('Differential') && !(RATE_BUDGETS[kind] as readonly string[]).includes(name));
  if (other) throw new FrwError('BAD_INPUT', `this config was tuned for ${kind}: its rate budgets are ${RATE_BUDGETS[kind].map((x) => BUDGET_FLAGS[x]).join(' and ')}, not ${BUDGET_FLAGS[other[0]]}`, { field: other[0] });
  return given;
}

export interface GateRequest {
  config: DeployConfig;
  manifest: DatasetManifest;
  protocol?: ProtocolName;
  budgets: GateBudgets;
  level: number;
  seed: number;
  /** Bootstrap replicates over identities for the rate bounds (0: Clopper-Pearson only). */
  bootstrap: number;
  impostorSample?: number;
  /** A CSV of image or identity attributes (datasets/attributes.ts). */
  attributesFile?: string;
  /** The attributes the differential budgets apply to (default: the supplied ones, else every derived one). */
  groupBy?: string[];
  /** How many of the worst false matches and non-matches to keep. */
  worst?: number;
  /** Identification configs: images enrolled per identity from the QA set (seeded split; default 1). */
  enrol?: number;
  /** Identification configs: the share of identities held out as strangers (default 0: the set's unknown people and few-image identities). */
  unknownShare?: number;
  /** Identification configs: what becomes of identities with too few images to enrol and probe (default: strangers). */
  fewImages?: FewImagesRule;
}

/**
 * The release gate (`frw gate`): a deployment config measured on a QA set exactly as it was tuned to decide — its
 * pinned model, detector and preprocessing (files checked against their sha256), its threshold, "accept iff
 * s >= t" — with failures to acquire counted at system level (a genuine comparison without a face is a false
 * non-match, an impostor one a correct reject). Each rate budget passes only when the more conservative of its
 * one-sided upper bounds (Clopper-Pearson, bootstrap over identities) is within it; each differential budget when
 * the differential's upper bound is (docs/metrics.md: a release decision uses backed targets only).
 */
export async function runGate(cfg: FrwConfig, req: GateRequest, hooks: RunHooks = {}): Promise<GateResult> {
  const { config, manifest } = req;
  const kind = config.expected.kind;
  const budgets = checkGateBudgets(req.budgets, kind);
  if (!Number.isInteger(req.bootstrap) || req.bootstrap < 0) throw new FrwError('BAD_INPUT', `bootstrap replicates must be an integer >= 0, got ${req.bootstrap}`);
  if (!(req.level > 0.5 && req.level < 1)) throw new FrwError('BAD_INPUT', `the level must be in (0.5, 1) for a one-sided bound, got ${req.level}`);
  // What applies to the other kind of config is refused, not ignored.
  const notFor = kind === 'identification' ? { protocol: req.protocol, 'impostor sample': req.impostorSample } : { enrol: req.enrol, 'unknown share': req.unknownShare };
  const stray = Object.entries(notFor).find(([, v]) => v !== undefined);
  if (stray) throw new FrwError('BAD_INPUT', `${stray[0]} does not apply to a ${kind} config (${kind === 'identification' ? 'it enrols part of the QA set: give enrol and unknown share' : 'it checks the set\'s comparisons: give a protocol'})`);
  const differential = budgets.some(([name]) => name.endsWith('Differential'));
  if (req.groupBy !== undefined && (!differential || req.groupBy.length === 0)) throw new FrwError('BAD_INPUT', differential ? 'group by names no attribute' : 'group by applies to differential budgets (--max-fmr-differential, --max-fnmr-differential); give one');
  // Read before any embedding work, so a bad sheet or a misspelt attribute is refused at once.
  const supplied = req.attributesFile ? readAttributeFile(req.attributesFile, manifest) : [];
  const known = [...supplied.map((a) => a.name), ...DERIVED_ATTRIBUTES];
  for (const name of req.groupBy ?? []) if (!known.includes(name)) throw new FrwError('BAD_INPUT', `no attribute "${name}" to group by; there are: ${known.join(', ')}`);
  // The installed files must be the ones the threshold was tuned with (INTEGRITY otherwise), and the pipeline too.
  await verifyConfigFiles(config, cfg.modelRoot, workspacePaths(cfg).userModels);
  const spec = specFromConfig(config);
  const protocol = req.protocol ?? defaultProtocol(manifest);
  if (kind === 'verification') checkProtocol(manifest, protocol);
  const split = kind === 'identification' ? makeSplit(manifest, { enrol: req.enrol ?? 1, seed: req.seed, fewImages: req.fewImages ?? 'unknown', unknownShare: req.unknownShare ?? 0 }) : null;
  if (split && split.mated.image.length === 0) throw new FrwError('BAD_INPUT', `${manifest.name} leaves no mated probes with enrol ${req.enrol ?? 1}: every identity's images go to enrolment; FNIR cannot be measured`);
  if (split && split.nonMated.image.length === 0) throw new FrwError('BAD_INPUT', `${manifest.name} leaves no strangers to probe with (no unknown people, and every identity has more than ${req.enrol ?? 1} image(s)); give --unknown-share to hold some identities out as strangers`);
  const embed = await embedToCache(cfg, manifest, spec, hooks);
  if (hooks.signal?.aborted) throw new FrwError('CANCELLED', 'gate cancelled; the embeddings computed so far stay cached');
  const table = loadEmbeddingTable(manifest, embed.cacheDir, spec.embedder.output.dim);
  const attributes = [...supplied, ...derivedAttributes(manifest, table)];
  const groupBy = req.groupBy ?? (supplied.length ? supplied : attributes).map((a) => a.name);
  for (const name of groupBy) if (!attributes.some((a) => a.name === name)) throw new FrwError('BAD_INPUT', `no attribute "${name}" to group by here (face size needs a detector's landmarks); there are: ${attributes.map((a) => a.name).join(', ')}`);
  const opts = { level: req.level, bootstrap: req.bootstrap, seed: req.seed, attributes, worst: req.worst ?? 8 };
  const t = config.threshold.similarity;
  let measured: DecisionMeasurement;
  if (split) {
    hooks.onStage?.(`enrolling ${split.gallery.length} identities (${config.aggregation}) and searching ${split.mated.image.length + split.nonMated.image.length} probes at similarity ${t}`);
    const index = await createIndexFactory(config.search);
    const searched = await evaluateMode(manifest, split, table, config.model.id, config.aggregation, index, { fpirTargets: [], seed: req.seed, bootstrap: 0, level: req.level });
    const g = searched.result.gallery;
    measured = measureOpenSetDecision(manifest, split, table, searched.outcomes, t, { identities: g.identities, vectors: g.vectors, mode: config.aggregation }, opts);
  } else {
    hooks.onStage?.(`scoring ${protocol} comparisons at similarity ${t}`);
    const set = buildComparisons(manifest, protocol, { seed: req.seed, impostorSample: req.impostorSample });
    measured = measureDecision(manifest, set, scoreComparisons(set, table), identityIndex(manifest), t, opts);
  }
  const checks: GateCheck[] = [];
  for (const [name, budget] of budgets) {
    if (name === 'maxFmr' || name === 'maxFpir') checks.push(checkRate(measured.fmr, budget, req.level));
    else if (name === 'maxFnmr' || name === 'maxFnir') checks.push(checkRate(measured.fnmr, budget, req.level));
    else for (const g of measured.groups.filter((x) => groupBy.includes(x.attribute))) checks.push(checkDifferential(g.attribute, name === 'maxFmrDifferential' ? g.fmr : g.fnmr, budget));
  }
  // Every budget is checked at least once: a gate that checked nothing must not pass.
  if (checks.length === 0) throw new FrwError('BAD_INPUT', 'no budget could be checked: the differential budgets found no attribute to group by');
  const e = config.expected;
  return {
    verdict: overallVerdict(checks),
    checks,
    config: {
      contentHash: config.contentHash,
      model: config.model.id,
      modelSha256: config.model.sha256,
      detector: config.detector?.id ?? 'pre-aligned',
      detectorSha256: config.detector?.sha256 ?? null,
      pipelineKey: config.pipelineKey,
      threshold: config.threshold.similarity,
      rule: config.rule.description,
      ruleKind: config.rule.kind,
    },
    dataset: { name: manifest.name, manifestHash: manifest.hash, protocol: split ? 'identification' : protocol, images: manifest.images.length, identities: namesIdentities(manifest) ? manifest.identities.length : 0 },
    measured,
    promised: e.kind === 'verification' ? { fmr: e.fmr, fnmr: e.fnmr, ...(e.fmrUpper ? { fmrUpper: e.fmrUpper } : {}) } : { fmr: e.fpir, fnmr: e.fnir, ...(e.fpirUpper ? { fmrUpper: e.fpirUpper } : {}) },
    ran: { at: new Date().toISOString(), tool: `fr-workbench ${TOOL_VERSION}` },
  };
}

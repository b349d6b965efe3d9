import type { FrwConfig } from '../core/config.js';
import { FrwError } from '../core/errors.js';
import { TOOL_VERSION } from '../core/version.js';
import { readAttributeFile } from '../datasets/attributes.js';
import type { DatasetManifest } from '../datasets/manifest.js';
import { specFromConfig } from '../engine/engine.js';
import { verifyConfigFiles, type DeployConfig } from '../engine/deploy-config.js';
import { derivedAttributes } from '../experiments/attributes.js';
import { measureDecision } from '../experiments/decision.js';
import { checkDifferential, checkRate, overallVerdict, type GateCheck, type GateResult } from '../experiments/gate.js';
import { buildComparisons, checkProtocol, defaultProtocol, identityIndex, type ProtocolName } from '../experiments/protocols.js';
import { scoreComparisons } from '../experiments/scoring.js';
import { loadEmbeddingTable } from '../pipeline/embedding-table.js';
import { embedToCache } from './embed.js';
import type { RunHooks } from './deps.js';

/** The budgets a gate checks; at least one. Rates in (0, 1); differentials (max/min over groups) >= 1. */
export interface GateBudgets {
  maxFmr?: number;
  maxFnmr?: number;
  maxFmrDifferential?: number;
  maxFnmrDifferential?: number;
}

export const BUDGET_FLAGS: Record<keyof GateBudgets, string> = { maxFmr: '--max-fmr', maxFnmr: '--max-fnmr', maxFmrDifferential: '--max-fmr-differential', maxFnmrDifferential: '--max-fnmr-differential' };

/** The budgets given, checked: at least one; rates in (0, 1), differentials finite and >= 1. */
export function checkGateBudgets(b: GateBudgets): Array<[keyof GateBudgets, number]> {
  const given = (Object.keys(BUDGET_FLAGS) as Array<keyof GateBudgets>).filter((k) => b[k] !== undefined).map((k): [keyof GateBudgets, number] => [k, b[k]!]);
  if (given.length === 0) throw new FrwError('BAD_INPUT', `give at least one budget: ${Object.values(BUDGET_FLAGS).join(', ')}`);
  for (const [name, v] of given) {
    const differential = name.endsWith('Differential');
    if (typeof v !== 'number' || (differential ? !(v >= 1 && Number.isFinite(v)) : !(v > 0 && v < 1))) throw new FrwError('BAD_INPUT', `${BUDGET_FLAGS[name]} must be ${differential ? 'a ratio >= 1' : 'a rate in (0, 1)'}, got ${String(v)}`, { field: name });
  }
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
  if (config.expected.kind !== 'verification') throw new FrwError('UNSUPPORTED', 'frw gate checks verification configs (FMR, FNMR); this config was tuned for identification (FPIR), which the gate does not measure yet');
  const budgets = checkGateBudgets(req.budgets);
  if (!Number.isInteger(req.bootstrap) || req.bootstrap < 0) throw new FrwError('BAD_INPUT', `bootstrap replicates must be an integer >= 0, got ${req.bootstrap}`);
  // Read before any embedding work, so a bad sheet is refused at once.
  const supplied = req.attributesFile ? readAttributeFile(req.attributesFile, manifest) : [];
  // The installed files must be the ones the threshold was tuned with (INTEGRITY otherwise), and the pipeline too.
  await verifyConfigFiles(config, cfg.modelRoot);
  const spec = specFromConfig(config);
  const protocol = req.protocol ?? defaultProtocol(manifest);
  checkProtocol(manifest, protocol);
  const embed = await embedToCache(cfg, manifest, spec, hooks);
  if (hooks.signal?.aborted) throw new FrwError('CANCELLED', 'gate cancelled; the embeddings computed so far stay cached');
  hooks.onStage?.(`scoring ${protocol} comparisons at similarity ${config.threshold.similarity}`);
  const set = buildComparisons(manifest, protocol, { seed: req.seed, impostorSample: req.impostorSample });
  const table = loadEmbeddingTable(manifest, embed.cacheDir, spec.embedder.output.dim);
  const scored = scoreComparisons(set, table);
  const attributes = [...supplied, ...derivedAttributes(manifest, table)];
  const groupBy = req.groupBy ?? (supplied.length ? supplied : attributes).map((a) => a.name);
  for (const name of groupBy) if (!attributes.some((a) => a.name === name)) throw new FrwError('BAD_INPUT', `no attribute "${name}" to group by; there are: ${attributes.map((a) => a.name).join(', ')}`);
  hooks.onStage?.(req.bootstrap ? `bounds: Clopper-Pearson and ${req.bootstrap} bootstrap replicates over identities` : 'bounds: Clopper-Pearson');
  const measured = measureDecision(manifest, set, scored, identityIndex(manifest), config.threshold.similarity, { level: req.level, bootstrap: req.bootstrap, seed: req.seed, attributes, worst: req.worst ?? 8 });
  const checks: GateCheck[] = [];
  for (const [name, budget] of budgets) {
    if (name === 'maxFmr') checks.push(checkRate(measured.fmr, budget, req.level));
    else if (name === 'maxFnmr') checks.push(checkRate(measured.fnmr, budget, req.level));
    else for (const g of measured.groups.filter((x) => groupBy.includes(x.attribute))) checks.push(checkDifferential(g.attribute, name === 'maxFmrDifferential' ? g.fmr : g.fnmr, budget));
  }
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
    dataset: { name: manifest.name, manifestHash: manifest.hash, protocol, images: manifest.images.length, identities: manifest.identities.length },
    measured,
    promised: { fmr: e.fmr, fnmr: e.fnmr, ...(e.fmrUpper ? { fmrUpper: e.fmrUpper } : {}) },
    ran: { at: new Date().toISOString(), tool: `fr-workbench ${TOOL_VERSION}` },
  };
}

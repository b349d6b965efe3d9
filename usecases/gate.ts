import type { FrwConfig } from '../core/config.js';
import { FrwError } from '../core/errors.js';
import type { DatasetManifest } from '../datasets/manifest.js';
import { specFromConfig } from '../engine/engine.js';
import { verifyConfigFiles, type DeployConfig } from '../engine/deploy-config.js';
import { checkBudget, overallVerdict, type GateResult } from '../experiments/gate.js';
import { clopperPearson, errorRatesAt, sortScores } from '../experiments/metrics/index.js';
import { buildComparisons, checkProtocol, defaultProtocol, type ProtocolName } from '../experiments/protocols.js';
import { scoreComparisons } from '../experiments/scoring.js';
import { loadEmbeddingTable } from '../pipeline/embedding-table.js';
import { embedToCache } from './embed.js';
import type { RunHooks } from './deps.js';

/** The budgets a gate checks (rates in (0, 1)); at least one. */
export interface GateBudgets {
  maxFmr?: number;
  maxFnmr?: number;
}

export interface GateRequest {
  config: DeployConfig;
  manifest: DatasetManifest;
  protocol?: ProtocolName;
  budgets: GateBudgets;
  level: number;
  seed: number;
  impostorSample?: number;
}

/**
 * The release gate (`frw gate`): a deployment config measured on a QA set exactly as it was tuned to decide — its
 * pinned model, detector and preprocessing (files checked against their sha256), its threshold, "accept iff
 * s >= t" — with failures to acquire counted at system level (a genuine comparison without a face is a false
 * non-match, an impostor one a correct reject). Each budget passes only when the one-sided upper confidence bound
 * of its rate is within it (docs/metrics.md: a release decision uses backed targets only).
 */
export async function runGate(cfg: FrwConfig, req: GateRequest, hooks: RunHooks = {}): Promise<GateResult> {
  const { config, manifest } = req;
  if (config.expected.kind !== 'verification') throw new FrwError('UNSUPPORTED', 'frw gate checks verification configs (FMR, FNMR); this config was tuned for identification (FPIR), which the gate does not measure yet');
  const budgets = Object.entries(req.budgets).filter(([, v]) => v !== undefined) as Array<['maxFmr' | 'maxFnmr', number]>;
  if (budgets.length === 0) throw new FrwError('BAD_INPUT', 'give at least one budget: --max-fmr and/or --max-fnmr');
  for (const [name, v] of budgets) if (!(v > 0 && v < 1)) throw new FrwError('BAD_INPUT', `--${name === 'maxFmr' ? 'max-fmr' : 'max-fnmr'} must be a rate in (0, 1), got ${v}`);
  // The installed files must be the ones the threshold was tuned with (INTEGRITY otherwise), and the pipeline too.
  await verifyConfigFiles(config, cfg.modelRoot);
  const spec = specFromConfig(config);
  const protocol = req.protocol ?? defaultProtocol(manifest);
  checkProtocol(manifest, protocol);
  const embed = await embedToCache(cfg, manifest, spec, hooks);
  if (hooks.signal?.aborted) throw new FrwError('CANCELLED', 'gate cancelled; the embeddings computed so far stay cached');
  hooks.onStage?.(`scoring ${protocol} comparisons at similarity ${config.threshold.similarity}`);
  const set = buildComparisons(manifest, protocol, { seed: req.seed, impostorSample: req.impostorSample });
  const scored = scoreComparisons(set, loadEmbeddingTable(manifest, embed.cacheDir, spec.embedder.output.dim));
  const r = errorRatesAt(sortScores(scored.genuine, scored.impostor), config.threshold.similarity);
  // System level: a comparison that lost a face is decided "no match" by the engine.
  const fm = { errors: r.falseMatches, trials: r.impostorCount + scored.excluded.impostor };
  const fnm = { errors: r.falseNonMatches + scored.excluded.genuine, trials: r.genuineCount + scored.excluded.genuine };
  const checks = budgets.map(([name, budget]) => checkBudget(name === 'maxFmr' ? 'FMR' : 'FNMR', name === 'maxFmr' ? fm : fnm, budget, req.level));
  return {
    verdict: overallVerdict(checks),
    checks,
    config: { contentHash: config.contentHash, model: config.model.id, modelSha256: config.model.sha256, detector: config.detector?.id ?? 'pre-aligned', pipelineKey: config.pipelineKey, threshold: config.threshold.similarity, rule: config.rule.description },
    dataset: { name: manifest.name, manifestHash: manifest.hash, protocol },
    measured: { fmr: clopperPearson(fm.errors, fm.trials, req.level), fnmr: clopperPearson(fnm.errors, fnm.trials, req.level), genuine: fnm.trials, impostor: fm.trials, excludedFta: scored.excluded },
    promised: config.expected.kind === 'verification' ? { fmr: config.expected.fmr, fnmr: config.expected.fnmr } : null,
  };
}


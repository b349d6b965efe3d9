import path from 'node:path';
import { oneOf } from '../core/choice.js';
import { FrwError } from '../core/errors.js';
import { TOOL_VERSION } from '../core/version.js';
import { MATCH_MODES, type MatchMode } from '../search/templates.js';
import { readRunFolder } from '../runs/read.js';
import { chooseThreshold, clopperPearson, clopperPearsonUpper, viewsOf, type Interval, type ThresholdRule } from '../experiments/metrics/index.js';
import { readRunScores } from '../runs/scores.js';
import { getDetectorCard, getEmbedderCard } from '../models/registry.js';
import { contentHashOf, DEPLOY_RULE_KINDS, DEPLOY_SCHEMA_VERSION, type DeployConfig, type ExpectedRates } from '../engine/deploy-config.js';

export type ExportRule = DeployConfig['rule'];

/** `fmr=1e-3`, `fmr-bound=1e-3`, `fpir=0.01`, `fpir-bound=0.01`, `eer`, `best-accuracy`, `youden`, or `fixed=0.31` (a similarity set by hand). */
export function parseRule(text: string): ExportRule {
  const fixed = /^fixed=(-?[0-9.eE+-]+)$/.exec(text.trim());
  if (fixed) {
    const threshold = Number(fixed[1]);
    if (!(threshold >= -1 && threshold <= 1)) throw new FrwError('BAD_INPUT', `a fixed threshold is a cosine similarity in [-1, 1], got ${fixed[1]}`);
    return { kind: 'fixed', threshold, description: `fixed similarity threshold ${threshold} set by hand (accept iff s >= t)` };
  }
  const m = /^(fmr|fmr-bound|fpir|fpir-bound)=([0-9.eE+-]+)$/.exec(text.trim());
  if (m) {
    const target = Number(m[2]);
    if (!(target > 0 && target < 1)) throw new FrwError('BAD_INPUT', `--rule ${m[1]} target must be in (0, 1), got ${m[2]}`);
    const description = {
      fmr: `lowest threshold with FMR <= ${target}`,
      'fmr-bound': `lowest threshold whose one-sided upper confidence bound of FMR is <= ${target} (the budget rule)`,
      fpir: `lowest threshold with FPIR <= ${target} (unknown iff top-1 score < t)`,
      'fpir-bound': `lowest threshold whose one-sided upper confidence bound of FPIR is <= ${target} (the budget rule; unknown iff top-1 score < t)`,
    }[m[1] as 'fmr' | 'fmr-bound' | 'fpir' | 'fpir-bound'];
    return { kind: m[1] as 'fmr' | 'fmr-bound' | 'fpir' | 'fpir-bound', target, description };
  }
  const named: Record<string, ExportRule> = {
    eer: { kind: 'eer', description: 'equal error rate threshold (FVC2000 interval)' },
    'best-accuracy': { kind: 'best-accuracy', description: 'highest accuracy (TA + TR) / N' },
    youden: { kind: 'youden', description: "highest Youden's J = TAR - FMR" },
  };
  const r = named[text.trim()];
  if (!r) throw new FrwError('BAD_INPUT', `unknown --rule "${text}"; the rule kinds are ${DEPLOY_RULE_KINDS.join(', ')}: fmr=<target>, fmr-bound=<target>, fpir=<target>, eer, best-accuracy, youden or fixed=<similarity>`);
  return r;
}

/** The metrics' form of a verification rule (fpir belongs to identification and has none). */
export function thresholdRuleOf(rule: ExportRule): ThresholdRule {
  switch (rule.kind) {
    case 'fmr':
    case 'fmr-bound':
      return { kind: rule.kind, target: rule.target! };
    case 'fixed':
      return { kind: 'fixed', threshold: rule.threshold! };
    case 'fpir':
    case 'fpir-bound':
      throw new FrwError('BAD_INPUT', `${rule.kind} is an identification rule; a verification run takes fmr=<target>, fmr-bound=<target>, eer, best-accuracy, youden or fixed=<similarity>`);
    default:
      return { kind: rule.kind };
  }
}

export interface ExportRequest {
  runDir: string;
  model: string;
  /** Aggregation the engine uses; for identification runs it selects the result, for eval runs it is recorded. */
  mode: MatchMode;
  rule: ExportRule;
  userModelsDir: string;
}

/** Build a deployment config from a run folder (frw eval or frw identify), pinned to the run's exact pipeline. */
export function buildDeployConfig(req: ExportRequest): Omit<DeployConfig, 'createdAt' | 'contentHash'> {
  const mode = oneOf(MATCH_MODES, req.mode, '--mode');
  const run = readRunFolder(req.runDir);
  const isIdentify = run.kind === 'identify';
  const record = run.record;
  const runModel = record.models.find((m) => m.id === req.model);
  if (!runModel) throw new FrwError('NOT_FOUND', `model "${req.model}" is not in this run; it has ${record.models.map((m) => m.id).join(', ')}`);
  if (!runModel.settings) throw new FrwError('BAD_INPUT', `${req.runDir} was written by an earlier frw that did not record pipeline settings; rerun it to export a config`);
  const card = getEmbedderCard(req.model, req.userModelsDir);
  if (card.sha256 !== runModel.sha256) throw new FrwError('INTEGRITY', `the card of ${req.model} now pins sha256 ${card.sha256}, but the run measured ${runModel.sha256}; rerun the evaluation`);
  const detector = runModel.detector === 'pre-aligned' ? null : getDetectorCard(runModel.detector, req.userModelsDir);
  if (detector && detector.sha256 !== runModel.settings.detector?.sha256) throw new FrwError('INTEGRITY', `detector ${detector.id} changed since the run`);

  let similarity: number;
  let expected: ExpectedRates;
  // A budget's words come from the choice that set it (they say which bounds decided); other rules keep parseRule's.
  let description = req.rule.description;
  if (isIdentify) {
    if (req.rule.kind !== 'fpir' && req.rule.kind !== 'fpir-bound') throw new FrwError('BAD_INPUT', 'an identification run exports an fpir=<target> or fpir-bound=<target> rule');
    const result = run.record.results.find((r) => r.model === req.model && r.mode === mode);
    if (!result) throw new FrwError('NOT_FOUND', `no ${req.model} / ${req.mode} result in this run`);
    const gallery = { identities: result.gallery.identities, vectors: result.gallery.vectors };
    const probes = { mated: result.probes.mated, nonMated: result.probes.nonMated };
    if (req.rule.kind === 'fpir-bound') {
      const b = (result.fpirBudgets ?? []).find((x) => x.targetFpir === req.rule.target);
      if (!b) throw new FrwError('NOT_FOUND', `the run has no FPIR budget ${req.rule.target}${result.fpirBudgets ? `; it has ${result.fpirBudgets.map((x) => x.targetFpir).join(', ')}` : ' (it was written before budgets were computed; rerun it)'}`);
      if (!b.backable) throw new FrwError('NOT_MEASURABLE', `${b.nonMated.toLocaleString('en')} strangers cannot back FPIR <= ${b.targetFpir}; it takes at least ${b.nonMatedToBack.toLocaleString('en')} with none accepted`, { trialsNeeded: b.nonMatedToBack });
      similarity = b.threshold;
      description = b.description;
      expected = { kind: 'identification', fpir: b.fpir, fnir: b.fnir, fpirUpper: b.fpirUpperBootstrap && b.fpirUpperBootstrap.upper > b.fpirUpper.upper ? b.fpirUpperBootstrap : b.fpirUpper, gallery, probes };
    } else {
      const p = result.fnirAtFpir.find((x) => x.targetFpir === req.rule.target);
      if (!p) throw new FrwError('NOT_FOUND', `the run has no FPIR target ${req.rule.target}; it has ${result.fnirAtFpir.map((x) => x.targetFpir).join(', ')}`);
      if (!p.measurable) throw new FrwError('NOT_MEASURABLE', `FPIR ${p.targetFpir} is not measurable with ${result.probes.nonMated.toLocaleString('en')} strangers (smallest: ${p.smallestMeasurableFpir.toExponential(2)})`);
      similarity = p.threshold;
      expected = { kind: 'identification', fpir: p.fpirInterval, fnir: p.fnirInterval, fpirUpper: clopperPearsonUpper(p.falsePositives, p.nonMated, run.record.options.level), gallery, probes };
    }
  } else {
    if (req.rule.kind === 'fpir' || req.rule.kind === 'fpir-bound') throw new FrwError('BAD_INPUT', 'a verification run exports fmr=<target>, fmr-bound=<target>, eer, best-accuracy, youden or fixed=<similarity>');
    const m = run.metrics?.models[req.model];
    if (!m) throw new FrwError('NOT_FOUND', `${req.runDir} has no metrics for ${req.model}`);
    const level = run.record.evaluation.level;
    const targeted = req.rule.kind === 'fmr' || req.rule.kind === 'fmr-bound';
    const chosen = req.rule.kind === 'fixed' ? undefined : m.thresholds.find((t) => t.rule.kind === req.rule.kind && (!targeted || (t.rule as { target: number }).target === req.rule.target));
    const verification = (c: { fmr: Interval; fnmr: Interval; falseMatches: number; genuineCount: number; impostorCount: number }): ExpectedRates => ({
      kind: 'verification',
      fmr: c.fmr,
      fnmr: c.fnmr,
      fmrUpper: clopperPearsonUpper(c.falseMatches, c.impostorCount, level),
      comparisons: { genuine: c.genuineCount, impostor: c.impostorCount },
    });
    if (chosen) {
      similarity = chosen.threshold.similarity;
      expected = verification(chosen);
      if (req.rule.kind === 'fmr-bound') description = chosen.description;
    } else if (req.rule.kind === 'fixed' || req.rule.kind === 'fmr-bound') {
      // A hand-set threshold, or a budget the run did not compute: from the run's own scores, exactly as the
      // workbench shows them, at the run's confidence level. A budget the data cannot back is refused (NOT_MEASURABLE).
      const c = chooseThreshold(readRunScores(req.runDir, req.model).sorted, thresholdRuleOf(req.rule), level);
      similarity = c.threshold.similarity;
      expected = verification(c);
      if (req.rule.kind === 'fmr-bound') description = c.description;
    } else {
      const t = req.rule.kind === 'fmr' ? m.tarAtFmr.find((x) => x.targetFmr === req.rule.target) : undefined;
      if (!t) throw new FrwError('NOT_FOUND', `the run has no ${req.rule.kind}${req.rule.target ? `=${req.rule.target}` : ''} result for ${req.model}`);
      if (!t.measurable) throw new FrwError('NOT_MEASURABLE', `FMR ${t.targetFmr} is not measurable with ${m.counts.impostor} impostor comparisons (smallest: ${t.smallestMeasurableFmr})`);
      const falseMatches = Math.round(t.achievedFmr! * m.counts.impostor);
      const falseNonMatches = Math.round((1 - t.tar!) * m.counts.genuine);
      similarity = t.threshold!;
      expected = verification({ fmr: clopperPearson(falseMatches, m.counts.impostor, level), fnmr: clopperPearson(falseNonMatches, m.counts.genuine, level), falseMatches, genuineCount: m.counts.genuine, impostorCount: m.counts.impostor });
    }
  }
  const views = viewsOf(similarity);
  if (views.l2Distance === null || !Number.isFinite(similarity)) throw new FrwError('BAD_INPUT', `threshold ${similarity} is not a cosine similarity; fused scores cannot be deployed`);
  return {
    schemaVersion: DEPLOY_SCHEMA_VERSION,
    tool: { name: 'fr-workbench', version: TOOL_VERSION },
    model: card,
    detector,
    pipeline: runModel.settings,
    pipelineKey: runModel.pipelineKey,
    metric: 'cosine',
    aggregation: mode,
    // Verification runs score pairs by dot product in float64, like the exact index; identify runs record theirs.
    search: run.kind === 'identify' && run.record.index === 'flat' ? 'flat' : 'exact',
    threshold: { similarity: views.similarity, cosineDistance: views.cosineDistance, l2Distance: views.l2Distance },
    rule: { ...req.rule, description },
    expected,
    source: { run: path.resolve(req.runDir), runKind: isIdentify ? 'identify' : 'eval', dataset: record.dataset.name, datasetManifestHash: record.dataset.manifestHash },
  };
}

/** Stamp the creation time and the content hash over everything. */
export function finalizeConfig(body: Omit<DeployConfig, 'createdAt' | 'contentHash'>, now = new Date()): DeployConfig {
  const withTime = { ...body, createdAt: now.toISOString() };
  return { ...withTime, contentHash: contentHashOf(withTime) };
}

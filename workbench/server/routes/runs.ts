import path from 'node:path';
import express from 'express';
import { abandonedSignal } from '../../../core/http-errors.js';
import { workspacePaths, type FrwConfig } from '../../../core/config.js';
import { FrwError } from '../../../core/errors.js';
import { buildDeployConfig, finalizeConfig, parseRule, thresholdRuleOf } from '../../../usecases/export-config.js';
import { chooseThreshold, clopperPearson, probit, type SortedScores, type ThresholdChoice, type ThresholdRule } from '../../../experiments/metrics/index.js';
import { MATCH_MODES } from '../../../search/templates.js';
import { oneOf } from '../../../core/choice.js';
import { worstErrors } from '../../../experiments/worst-pairs.js';
import { queryInt } from '../params.js';
import { OperatingDetails } from '../operating-details.js';
import type { RunFolders } from '../run-folders.js';
import type { RunScores } from '../../../runs/scores.js';
import { COMPARE_LIMITS, compareInThread } from '../comparisons.js';
import { rateTable } from '../../../experiments/metrics/rate-table.js';

const LEVEL = 0.95;
const finite = (x: number) => (Number.isFinite(x) ? x : null);

/** `threshold=<similarity>` or `rule=fmr=1e-3|fmr-bound=1e-3|eer|best-accuracy|youden|fixed=<t>` from the query string. */
function ruleOf(query: express.Request['query']): ThresholdRule {
  if (typeof query.threshold === 'string' && query.threshold !== '') {
    const t = Number(query.threshold);
    if (!Number.isFinite(t)) throw new FrwError('BAD_INPUT', `threshold must be a number, got ${JSON.stringify(query.threshold)}`);
    return { kind: 'fixed', threshold: t };
  }
  if (typeof query.rule === 'string') return thresholdRuleOf(parseRule(query.rule));
  throw new FrwError('BAD_INPUT', 'give ?threshold=<similarity> or ?rule=<fmr=1e-3|fmr-bound=1e-3|eer|best-accuracy|youden>');
}

/**
 * Where a hand-set threshold may lie: within cosine similarity's [-1, 1], or the run's own score range where that is
 * wider (fused scores are in impostor standard deviations). Outside, every comparison is on one side.
 */
function thresholdBounds(sorted: SortedScores): { lo: number; hi: number } {
  const first = (a: Float64Array) => (a.length ? a[0] : Infinity);
  const last = (a: Float64Array) => (a.length ? a[a.length - 1] : -Infinity);
  return { lo: Math.min(-1, first(sorted.genuine), first(sorted.impostor)), hi: Math.max(1, last(sorted.genuine), last(sorted.impostor)) };
}

function checkThresholdRange(rule: ThresholdRule, sorted: SortedScores): void {
  if (rule.kind !== 'fixed') return;
  const { lo, hi } = thresholdBounds(sorted);
  if (rule.threshold < lo || rule.threshold > hi) throw new FrwError('BAD_INPUT', `threshold must be within the scores' range [${lo}, ${hi}]; got ${rule.threshold}`, { min: lo, max: hi });
}

/**
 * A budget rule the run itself computed (with the identity bootstrap when it had one): its threshold, so the explorer
 * shows exactly what Export writes (usecases/export-config.ts takes the same stored entry). null otherwise.
 */
function storedBudget(runs: RunFolders, id: string, model: string, rule: ThresholdRule, sorted: SortedScores): ThresholdChoice | null {
  if (rule.kind !== 'fmr-bound') return null;
  const m = (runs.read(id).metrics as { models?: Record<string, { thresholds?: ThresholdChoice[] }> } | null)?.models?.[model];
  const stored = m?.thresholds?.find((t) => t.rule.kind === 'fmr-bound' && (t.rule as { target: number }).target === rule.target);
  if (!stored) return null;
  return { ...chooseThreshold(sorted, { kind: 'fixed', threshold: stored.threshold.similarity }, LEVEL), rule, description: stored.description };
}

/**
 * Rules' choices by run, model and rule: a rule sweeps every score (an all-pairs run's EER, 87.5 million, takes about a
 * second), and the explorer asks for the same presets again and again. A run's scores do not change once written.
 */
class RuleChoices {
  private readonly choices = new Map<string, ThresholdChoice>();
  get(key: string, compute: () => ThresholdChoice): ThresholdChoice {
    const hit = this.choices.get(key);
    if (hit) return hit;
    const choice = compute();
    if (this.choices.size >= 256) this.choices.clear();
    this.choices.set(key, choice);
    return choice;
  }
}

/** The operating point a request asks for (?model and ?threshold or ?rule), as the explorer and Export see it. */
async function choiceAt(runs: RunFolders, req: express.Request, rules: RuleChoices): Promise<{ s: RunScores; rule: ThresholdRule; choice: ThresholdChoice }> {
  if (typeof req.query.model !== 'string') throw new FrwError('BAD_INPUT', 'give the model as ?model=<id>');
  const rule = ruleOf(req.query);
  const id = req.params.id as string;
  const model = req.query.model;
  const s = await runs.scoresOf(id, model);
  checkThresholdRange(rule, s.sorted);
  const compute = () => storedBudget(runs, id, model, rule, s.sorted) ?? chooseThreshold(s.sorted, rule, LEVEL);
  return { s, rule, choice: rule.kind === 'fixed' ? compute() : rules.get(`${id}\0${model}\0${JSON.stringify(rule)}`, compute) };
}

/** /api/runs: the history of runs, each run's results, the threshold explorer's operating points, config export. */
export function runsRouter(cfg: FrwConfig, runs: RunFolders): express.Router {
  const r = express.Router();
  const details = new OperatingDetails();
  const rules = new RuleChoices();
  r.get('/', (_req, res) => {
    res.json({ runs: runs.list() });
  });
  /**
   * Models of one or more runs lined up when they scored the same comparisons (?runs=a,b; optional ?pair=x,y, ?rule,
   * ?replicates): the table and the paired tests of usecases/compare.ts, computed in a worker thread. Runs that are
   * not like for like are refused, 422 NOT_COMPARABLE with the reason.
   */
  r.get('/compare', async (req, res) => {
    const str = (v: unknown, what: string) => {
      if (v === undefined) return undefined;
      if (typeof v !== 'string' || v === '') throw new FrwError('BAD_INPUT', `${what} must be a non-empty string`);
      return v;
    };
    const ids = (str(req.query.runs, 'runs') ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    if (ids.length === 0) throw new FrwError('BAD_INPUT', 'give the runs to compare as ?runs=<id>,<id>');
    if (ids.length > COMPARE_LIMITS.runs) throw new FrwError('BAD_INPUT', `compare at most ${COMPARE_LIMITS.runs} runs at once, got ${ids.length}`);
    const pair = str(req.query.pair, 'pair')?.split(',').map((x) => x.trim());
    if (pair && pair.length !== 2) throw new FrwError('BAD_INPUT', 'pair takes two row labels separated by a comma');
    const result = await compareInThread(cfg, {
      runs: ids.map((id) => runs.dir(id)),
      pair: pair as [string, string] | undefined,
      rule: str(req.query.rule, 'rule'),
      replicates: queryInt(req.query.replicates, 1000, 1, COMPARE_LIMITS.replicates, 'replicates'),
    }, abandonedSignal(req, res));
    res.json(result);
  });
  r.get('/:id', (req, res) => {
    res.json(runs.read(req.params.id));
  });
  r.get('/:id/report', (req, res) => {
    const html = runs.report(req.params.id);
    if (req.query.download !== undefined) res.attachment(`${req.params.id}-report.html`);
    res.type('html').send(html);
  });
  r.get('/:id/files/:name', (req, res) => {
    // dotfiles: the default workspace is .frw/, and send() would otherwise refuse every path under it.
    const file = runs.file(req.params.id, req.params.name);
    res.download(file, path.basename(file), { dotfiles: 'allow' });
  });
  /** A face as the run's model saw it (`view=aligned`, default) or in its photo with the chosen face boxed (`view=context`). */
  r.get('/:id/face', async (req, res) => {
    const { model, path: image, view = 'aligned' } = req.query;
    if (typeof model !== 'string' || typeof image !== 'string') throw new FrwError('BAD_INPUT', 'give ?model=<id>&path=<image in the dataset>');
    if (view !== 'aligned' && view !== 'context') throw new FrwError('BAD_INPUT', 'view must be aligned or context');
    const size = queryInt(req.query.size, 112, 16, 512, 'size');
    // The image first: an error must go out as JSON, not under an image/jpeg header set too early.
    const jpeg = await runs.face(req.params.id, model, image, view, size);
    res.type('jpeg').set('cache-control', 'private, max-age=3600').send(jpeg);
  });
  /**
   * The operating point at a threshold (or a rule's threshold): FMR, FNMR and TAR with Clopper-Pearson intervals,
   * and the worst false matches and false non-matches there.
   */
  r.get('/:id/operating-point', async (req, res) => {
    const { s, choice } = await choiceAt(runs, req, rules);
    const k = Math.min(24, Math.max(0, Number(req.query.k ?? 6) || 0));
    const accepted = choice.genuineCount - choice.falseNonMatches;
    res.json({
      model: s.model,
      choice,
      tar: clopperPearson(accepted, choice.genuineCount, LEVEL),
      // Where the point sits on the DET chart; a rate of 0 or 1 has no place on a probit axis.
      det: { probitFmr: finite(probit(choice.fmr.estimate)), probitFnmr: finite(probit(choice.fnmr.estimate)) },
      worst: s.pairs && s.order ? worstErrors(s.pairs, s.order, choice.threshold.similarity, k) : null,
      worstUnavailable: s.pairsUnavailable,
    });
  });
  /**
   * The explorer's rate table (experiments/metrics/rate-table.ts): false matches and false non-matches at every
   * threshold of a grid (?resolution per unit, default 1000), sent once per model so a drag looks rates up in the
   * browser. Its thresholds are those the operating-point route accepts, and its counts that route's at each of them.
   */
  r.get('/:id/rate-table', async (req, res) => {
    if (typeof req.query.model !== 'string' || req.query.model === '') throw new FrwError('BAD_INPUT', 'give the model as ?model=<id>');
    const resolution = queryInt(req.query.resolution, 1000, 10, 10_000, 'resolution');
    const s = await runs.scoresOf(req.params.id as string, req.query.model);
    res.json({ model: s.model, level: LEVEL, table: rateTable(s.sorted, resolution, thresholdBounds(s.sorted)) });
  });
  /**
   * Beside the operating point: the bootstrap over identities of its rates and (for a rule) its threshold, and the
   * group differentials there. Computed in a worker thread; a newer request supersedes an older one (409).
   */
  r.get('/:id/operating-point/detail', async (req, res) => {
    const { choice, rule } = await choiceAt(runs, req, rules);
    const data = await runs.detailData(req.params.id, req.query.model as string);
    if ('unavailable' in data) {
      res.json({ bootstrap: null, groups: [], unavailable: data.unavailable });
      return;
    }
    const replicates = queryInt(req.query.replicates, data.replicates, 0, 10_000, 'replicates');
    const { seed, ...pairs } = data;
    const detail = await details.compute({ ...pairs, rule, threshold: choice.threshold.similarity, replicates, seed, level: LEVEL });
    res.json({ ...detail, unavailable: null, replicates, seed });
  });
  /** Preview a deployment config for a model and rule of this run (the browser offers it as a download). */
  r.post('/:id/export', express.json({ limit: '8kb' }), (req, res) => {
    const b = (req.body ?? {}) as { model?: unknown; rule?: unknown; mode?: unknown };
    if (typeof b.model !== 'string' || typeof b.rule !== 'string') throw new FrwError('BAD_INPUT', 'give model and rule (fmr=<target>, fmr-bound=<target>, fpir=<target>, eer, best-accuracy, youden or fixed=<similarity>)');
    const mode = oneOf(MATCH_MODES, b.mode ?? 'mean', 'mode');
    const config = finalizeConfig(buildDeployConfig({ runDir: runs.dir(req.params.id), model: b.model, mode, rule: parseRule(b.rule), userModelsDir: workspacePaths(cfg).userModels }));
    res.json({ config });
  });
  return r;
}

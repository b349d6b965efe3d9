import type { EvalRunResult } from '../runs/eval-folder.js';
import type { ModelMetrics, TarAtFmrReport } from '../experiments/evaluate.js';
import { toView } from '../experiments/distributions.js';
import { distributionSpec, detSpec, ratesVsThresholdSpec, rocSpec, type CurveSeries } from './charts.js';
import { count, intervalText, pct, sci } from './format.js';
import { htmlTable, renderReport, type ReportSection } from './html.js';
import { namesIdentities, type DatasetKind } from '../datasets/manifest.js';
import { bootstrapName } from '../experiments/metrics/bootstrap.js';

/** "[lower, upper] 95%" (the method is named in the column header), or – when there is none. */
const interval = (i: { lower: number; upper: number; level: number } | null | undefined, f = pct) => (i ? `[${f(i.lower)}, ${f(i.upper)}] ${Math.round(i.level * 100)}%` : '–');

/** Whether a TAR@FMR target is backed (one-sided upper bound of FMR within it), and what backing it would take. */
function backedNote(t: TarAtFmrReport, impostors: number): string {
  if (t.backed === undefined) return ''; // a run from before backing was reported
  if (t.backed) return `backed: FMR upper bound ${t.fmrUpperBound!.toExponential(3)} ≤ ${sci(t.targetFmr)}`;
  const bound = t.fmrUpperBound === null ? '' : `FMR upper bound ${t.fmrUpperBound.toExponential(3)} > ${sci(t.targetFmr)}; `;
  return `not backed: ${bound}${impostors < t.impostorsToBack ? `backing it takes at least ${count(t.impostorsToBack)} impostor comparisons` : 'a stricter threshold (budget rule fmr-bound) would back it'}`;
}

export function summaryRows(metrics: ModelMetrics[]): Array<Array<string | number>> {
  return metrics.map((m) => [
    m.model,
    m.auc.toFixed(5),
    `${pct(m.eer.estimate)} (FVC2000 crossing interval ${pct(m.eer.lower)}–${pct(m.eer.upper)}, not a confidence interval; ${m.eer.bootstrap ? intervalText(m.eer.bootstrap) : 'no bootstrap'})`,
    m.eer.threshold.toFixed(4),
    m.tenFold ? `${pct(m.tenFold.mean)} ± ${pct(m.tenFold.std)}` : '–',
    `${count(m.counts.genuine)} / ${count(m.counts.impostor)}`,
    `${count(m.counts.excludedFta.genuine)} / ${count(m.counts.excludedFta.impostor)}`,
  ]);
}

/** The self-contained HTML report of an evaluation run. */
export function evalReportHtml(result: EvalRunResult): string {
  const { record, metrics, perModel } = result;
  const view = record.evaluation.view;
  // A pair-only set names no identities: its bootstrap resamples images, and every header says so.
  const unit = namesIdentities({ kind: record.dataset.kind as DatasetKind }) ? 'identity' : 'image';
  const over = unit === 'image' ? 'bootstrap over images' : 'bootstrap over identities';
  const unitNote = unit === 'image' ? ` Intervals marked bootstrap: ${bootstrapName(unit)}, so a replicate resamples images and keeps each listed pair as often as both its images were drawn; the all-pairs protocol cannot run on it.` : '';
  const sections: ReportSection[] = [];
  sections.push({
    title: 'Summary',
    html:
      htmlTable(['model', 'AUC', 'EER (FVC2000)', 'EER threshold (cos sim)', '10-fold accuracy (mean ± std)', 'genuine / impostor comparisons', 'excluded (failure to acquire) g / i'], summaryRows(metrics)) +
      `<p class="note">Scores are cosine similarities; accept iff s ≥ t.${unitNote} ${record.impostorSampling ? `Impostor pairs: a seeded uniform sample of ${record.impostorSampling.sampled.toLocaleString('en')} of ${record.impostorSampling.population.toLocaleString('en')} (seed ${record.impostorSampling.seed}).` : ''}</p>`,
  });
  sections.push({
    title: 'TAR at target FMR',
    html: htmlTable(
      ['model', 'target FMR', 'TAR', 'TAR 95% interval (Clopper-Pearson)', `TAR@FMR 95% (${over})`, 'threshold [bootstrap 95%]', 'achieved FMR', 'backed at 95% (one-sided Clopper-Pearson)'],
      metrics.flatMap((m) =>
        m.tarAtFmr.map((t) =>
          t.measurable
            ? [m.model, sci(t.targetFmr), pct(t.tar!), interval(t.interval), t.bootstrap ? `${interval(t.bootstrap)}${t.bootstrap.failed ? ` (${t.bootstrap.failed} of ${t.bootstrap.replicates} resamples could not back it)` : ''}` : '–', `${t.threshold!.toFixed(4)}${t.thresholdBootstrap ? ` [${t.thresholdBootstrap.lower.toFixed(4)}, ${t.thresholdBootstrap.upper.toFixed(4)}]` : ''}`, sci(t.achievedFmr!), backedNote(t, m.counts.impostor)]
            : [m.model, sci(t.targetFmr), '–', '–', '–', '–', '–', `not measurable: ${count(m.counts.impostor)} impostor comparisons measure FMR ≥ ${sci(t.smallestMeasurableFmr)}; ${backedNote(t, m.counts.impostor)}`],
        ),
      ),
    ),
  });
  sections.push({
    title: 'Thresholds by rule',
    html: htmlTable(
      ['model', 'rule', 'similarity', 'cosine distance', 'L2 distance', 'FMR [95%]', 'FNMR [95%]'],
      metrics.flatMap((m) => m.thresholds.map((c) => [m.model, c.description, c.threshold.similarity.toFixed(4), c.threshold.cosineDistance.toFixed(4), c.threshold.l2Distance?.toFixed(4) ?? '–', `${sci(c.fmr.estimate)} ${interval(c.fmr, sci)}`, `${pct(c.fnmr.estimate)} ${interval(c.fnmr)}`])),
    ),
  });
  const rocSeries: CurveSeries[] = perModel.map((p) => ({ model: p.model, x: p.curves.chart.fmr, y: p.curves.chart.tar }));
  const detSeries: CurveSeries[] = perModel.map((p) => ({ model: p.model, x: p.curves.chart.probitFmr, y: p.curves.chart.probitFnmr }));
  const eerPoints = metrics.map((m) => ({ model: m.model, fmr: m.eer.estimate, tar: 1 - m.eer.estimate, label: 'EER' }));
  sections.push({ title: 'ROC and DET', charts: [rocSpec(rocSeries, eerPoints), detSpec(detSeries)] });
  for (const p of perModel) {
    const m = metrics.find((x) => x.model === p.model)!;
    sections.push({
      title: `${p.model}: distributions and error rates`,
      charts: [
        distributionSpec({ genuine: p.curves.histograms.genuine, impostor: p.curves.histograms.impostor, threshold: toView(m.eer.threshold, view), axis: view, title: `${p.model}: genuine vs impostor (dashed: EER threshold)` }),
        ratesVsThresholdSpec({ model: p.model, threshold: p.curves.chart.threshold, fmr: p.curves.chart.fmr, fnmr: p.curves.chart.fnmr, operating: m.eer.threshold }),
      ],
    });
  }
  for (const m of metrics) {
    const b = m.breakdown;
    if (!b) continue;
    const groupRows = (label: string, groups: typeof b.byGrayscale) =>
      groups.map((g) => [label, g.group, g.genuine, g.fnmr ? `${pct(g.fnmr.estimate)} ${interval(g.fnmr)}` : '–', g.impostor, g.fmr ? `${sci(g.fmr.estimate)} ${interval(g.fmr, sci)}` : '–']);
    const who = (list: typeof b.falseMatchIdentities) => list.map((e) => [e.identity, e.count, e.examples.map((x) => `${x.a} ~ ${x.b} (${x.score.toFixed(3)})`).join(' · ')]);
    sections.push({
      title: `${m.model}: where the errors are (at the EER threshold ${b.threshold.toFixed(4)})`,
      html:
        htmlTable(['by', 'group (the harder image of the pair)', 'genuine', 'FNMR [95%]', 'impostor', 'FMR [95%]'], [...groupRows('colour', b.byGrayscale), ...groupRows('resolution', b.byResolution), ...groupRows('face size', b.byFaceArea)]) +
        '<h3>Identities in most false matches</h3>' + htmlTable(['identity', 'false matches', 'examples (score)'], who(b.falseMatchIdentities)) +
        '<h3>Identities in most false non-matches</h3>' + htmlTable(['identity', 'false non-matches', 'examples (score)'], who(b.falseNonMatchIdentities)) +
        (m.fusion ? `<p class="note">Fused score: weights ${Object.entries(m.fusion.weights).map(([k, w]) => `${k} ${w.toFixed(3)}`).join(', ')} (${m.fusion.weighting}); each model z-normalised by its impostor mean and std. Units are impostor standard deviations, not cosine similarity.</p>` : ''),
    });
  }
  return renderReport({
    title: `Verification report: ${record.dataset.name}, ${record.protocol}`,
    subtitle: `${record.models.map((m) => m.id).join(', ')} · ${record.comparisons.genuine.toLocaleString('en')} genuine and ${record.comparisons.impostor.toLocaleString('en')} impostor comparisons · seed ${record.seed} · fr-workbench ${record.tool.version} · ${record.createdAt}`,
    sections,
  });
}

import type { EvalRunResult } from '../experiments/run.js';
import { histogram } from '../experiments/distributions.js';
import type { ModelMetrics } from '../experiments/evaluate.js';
import { distributionSpec, detSpec, ratesVsThresholdSpec, rocSpec, type CurveSeries } from './charts.js';
import { htmlTable, renderReport, type ReportSection } from './html.js';

const pct = (x: number, digits = 2) => `${(100 * x).toFixed(digits)}%`;
const sci = (x: number) => (x === 0 ? '0' : x.toExponential(2));
const interval = (i: { lower: number; upper: number; level: number } | null, f = pct) => (i ? `[${f(i.lower)}, ${f(i.upper)}] ${Math.round(i.level * 100)}%` : '–');

/**
 * Indices of roughly `max` curve points, spread evenly in log FMR and in log FNMR, so thinning keeps the detail
 * at both ends (the low-FMR tail of a ROC, the low-FNMR tail of a DET). The first and last points always stay.
 */
export function thinIndices(fmr: ArrayLike<number>, fnmr: ArrayLike<number>, max: number): number[] {
  if (fmr.length <= max) return Array.from({ length: fmr.length }, (_, i) => i);
  const bucket = (x: number) => (x > 0 ? Math.round(Math.log10(x) * (max / 16)) : -Infinity);
  const keep: number[] = [0];
  for (let i = 1; i < fmr.length; i++) {
    if (bucket(fmr[i]) !== bucket(fmr[i - 1]) || bucket(fnmr[i]) !== bucket(fnmr[i - 1]) || i === fmr.length - 1) keep.push(i);
  }
  return keep;
}

const pick = (a: ArrayLike<number>, idx: number[]) => idx.map((i) => a[i]);

export function summaryRows(metrics: ModelMetrics[]): Array<Array<string | number>> {
  return metrics.map((m) => [
    m.model,
    m.auc.toFixed(5),
    `${pct(m.eer.estimate)} (interval ${pct(m.eer.lower)}–${pct(m.eer.upper)}; bootstrap ${interval(m.eer.bootstrap)})`,
    m.eer.threshold.toFixed(4),
    m.tenFold ? `${pct(m.tenFold.mean)} ± ${pct(m.tenFold.std)}` : '–',
    `${m.counts.genuine} / ${m.counts.impostor}`,
    `${m.counts.excludedFta.genuine} / ${m.counts.excludedFta.impostor}`,
  ]);
}

/** The self-contained HTML report of an evaluation run. */
export function evalReportHtml(result: EvalRunResult): string {
  const { record, metrics, perModel } = result;
  const sections: ReportSection[] = [];
  sections.push({
    title: 'Summary',
    html:
      htmlTable(['model', 'AUC', 'EER (FVC2000)', 'EER threshold (cos sim)', '10-fold accuracy (mean ± std)', 'genuine / impostor comparisons', 'excluded (failure to acquire) g / i'], summaryRows(metrics)) +
      `<p class="note">Scores are cosine similarities; accept iff s ≥ t. ${record.impostorSampling ? `Impostor pairs: a seeded uniform sample of ${record.impostorSampling.sampled.toLocaleString('en')} of ${record.impostorSampling.population.toLocaleString('en')} (seed ${record.impostorSampling.seed}).` : ''}</p>`,
  });
  sections.push({
    title: 'TAR at target FMR',
    html: htmlTable(
      ['model', 'target FMR', 'TAR', 'TAR 95% interval (Clopper-Pearson)', 'threshold', 'achieved FMR', 'note'],
      metrics.flatMap((m) =>
        m.tarAtFmr.map((t) =>
          t.measurable
            ? [m.model, sci(t.targetFmr), pct(t.tar!), interval(t.interval), t.threshold!.toFixed(4), sci(t.achievedFmr!), '']
            : [m.model, sci(t.targetFmr), '–', '–', '–', '–', `not measurable: ${m.counts.impostor} impostor comparisons back FMR ≥ ${sci(t.smallestMeasurableFmr)}`],
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
  const rocSeries: CurveSeries[] = perModel.map((p) => {
    const idx = thinIndices(p.curves.roc.fmr, p.curves.roc.fnmr, 1500);
    return { model: p.model, x: pick(p.curves.roc.fmr, idx), y: pick(p.curves.roc.tar, idx) };
  });
  const detSeries: CurveSeries[] = perModel.map((p) => {
    const idx = thinIndices(p.curves.det.fmr, p.curves.det.fnmr, 1500);
    return { model: p.model, x: pick(p.curves.det.probitFmr, idx), y: pick(p.curves.det.probitFnmr, idx) };
  });
  const eerPoints = metrics.map((m) => ({ model: m.model, fmr: m.eer.estimate, tar: 1 - m.eer.estimate, label: 'EER' }));
  sections.push({ title: 'ROC and DET', charts: [rocSpec(rocSeries, eerPoints), detSpec(detSeries)] });
  for (const p of perModel) {
    const m = metrics.find((x) => x.model === p.model)!;
    const idx = thinIndices(p.curves.roc.fmr, p.curves.roc.fnmr, 1500);
    sections.push({
      title: `${p.model}: distributions and error rates`,
      charts: [
        distributionSpec({ genuine: histogram(p.scored.genuine, 'similarity', 60, [-1, 1]), impostor: histogram(p.scored.impostor, 'similarity', 60, [-1, 1]), threshold: m.eer.threshold, axis: 'similarity', title: `${p.model}: genuine vs impostor (dashed: EER threshold)` }),
        ratesVsThresholdSpec({ model: p.model, threshold: pick(p.curves.roc.threshold, idx), fmr: pick(p.curves.roc.fmr, idx), fnmr: pick(p.curves.roc.fnmr, idx), operating: m.eer.threshold }),
      ],
    });
  }
  return renderReport({
    title: `Verification report: ${record.dataset.name}, ${record.protocol}`,
    subtitle: `${record.models.map((m) => m.id).join(', ')} · ${record.comparisons.genuine.toLocaleString('en')} genuine and ${record.comparisons.impostor.toLocaleString('en')} impostor comparisons · seed ${record.seed} · fr-workbench ${record.tool.version} · ${record.createdAt}`,
    sections,
  });
}

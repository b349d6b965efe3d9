import type { IdentifyRunResult } from '../runs/identification-folder.js';
import { resultKey } from '../runs/identification-folder.js';
import { cmcSpec, fpirFnirSpec } from './charts.js';
import { htmlTable, renderReport } from './html.js';

import { count, pct, sci } from './format.js';

const ci = (i: { lower: number; upper: number } | null) => (i ? `[${pct(i.lower)}, ${pct(i.upper)}]` : '–');

export function identifyReportHtml(run: IdentifyRunResult): string {
  const { record, results } = run;
  const targets = record.options.fpirTargets;
  const summary = htmlTable(
    ['model', 'mode', 'gallery (identities / vectors)', 'rank-1 [95%]', ...targets.map((t) => `FNIR @ FPIR ${t} [CP 95%] [bootstrap 95%] (threshold)`), 'search (queries/s)', 'gallery memory'],
    results.map((r) => [
      r.model,
      r.mode,
      `${r.gallery.identities} / ${r.gallery.vectors}`,
      `${pct(r.rank1.estimate)} ${ci(r.rank1.interval)}`,
      ...r.fnirAtFpir.map((p) => (p.measurable ? `${pct(p.fnir)} ${ci(p.fnirInterval)} ${ci(p.bootstrap)} (t = ${p.threshold.toFixed(4)}; ${p.backed ? 'backed' : p.nonMated < p.nonMatedToBack ? `not backed: it takes ${count(p.nonMatedToBack)} strangers` : 'not backed: see the FPIR budget'})` : `not measurable: ${count(r.probes.nonMated)} strangers measure FPIR ≥ ${sci(p.smallestMeasurableFpir)}`)),
      `${r.search.index}, ${r.search.queriesPerSecond.toFixed(0)}/s`,
      `${(r.gallery.bytes / 1024).toFixed(0)} KiB`,
    ]),
  );
  const policyTable = htmlTable(
    ['model', 'mode', 'rule', 'FPIR', 'FNIR'],
    results.flatMap((r) =>
      r.aivivnPolicy
        ? [[r.model, r.mode, `unknown iff distance > ${r.aivivnPolicy.maxDistance.toFixed(4)} AND softmax(64·s) probability < ${r.aivivnPolicy.minProbability}`, pct(r.aivivnPolicy.fpir), pct(r.aivivnPolicy.fnir)]]
        : [],
    ),
  );
  const budgets = htmlTable(
    ['model', 'mode', 'FPIR budget', 'threshold', 'FPIR [CP 95%]', 'one-sided upper bounds: CP / bootstrap', 'FNIR [CP 95%]', 'rule'],
    results.flatMap((r) =>
      (r.fpirBudgets ?? []).map((b) =>
        b.backable
          ? [r.model, r.mode, sci(b.targetFpir), b.threshold.toFixed(4), `${sci(b.fpir.estimate)} ${ci(b.fpir)}`, `${b.fpirUpper.upper.toExponential(3)} / ${b.fpirUpperBootstrap ? b.fpirUpperBootstrap.upper.toExponential(3) : '–'}`, `${pct(b.fnir.estimate)} ${ci(b.fnir)}`, b.description]
          : [r.model, r.mode, sci(b.targetFpir), '–', '–', '–', '–', `cannot be backed: ${count(b.nonMated)} strangers; it takes at least ${count(b.nonMatedToBack)} with none accepted`],
      ),
    ),
  );
  const s = record.split;
  const splitNote = `<p class="note">Split (seed ${s.seed}): ${s.enrolledIdentities} identities enrolled from ${s.enrol} image(s) each; ${s.matedProbes} mated probes (other images of enrolled people, never an enrolment image); ${s.nonMatedProbes} non-mated probes (${s.unknownSources.datasetUnknowns} unknown people from the dataset, ${s.unknownSources.heldOutShare} held-out identities, ${s.unknownSources.fewImages} identities with ≤ ${s.enrol} images). FPIR grows with the gallery: compare numbers only at the same gallery size.</p>`;
  const labels = results.map((r) => `${r.model} / ${r.mode}`);
  const charts = [
    cmcSpec(results.map((r, i) => ({ label: labels[i], rank: r.cmc.rank, accuracy: r.cmc.accuracy }))),
    fpirFnirSpec(results.map((r, i) => {
      const c = run.curves.get(resultKey(r.model, r.mode))!;
      return { label: labels[i], fpir: c.fpir, fnir: c.fnir };
    })),
  ];
  const unknowns = results.map((r) => `<h3>${r.model} / ${r.mode}</h3>` + htmlTable(['stranger image', 'accepted as', 'score'], r.unknownsAccepted.slice(0, 15).map((u) => [u.image, u.matched, u.score.toFixed(4)])));
  return renderReport({
    title: `Identification report: ${record.dataset.name}`,
    subtitle: `${record.models.map((m) => m.id).join(', ')} · modes ${[...new Set(results.map((r) => r.mode))].join(', ')} · index ${record.index} · fr-workbench ${record.tool.version} · ${record.createdAt}`,
    sections: [
      { title: 'Raw vs aggregated templates', html: summary + splitNote, charts },
      { title: 'FPIR budgets (the budget rule: upper bounds within the target)', html: budgets },
      { title: 'The aivivn decision rule at the first FPIR target', html: policyTable + '<p class="note">The plain rule "unknown if the best distance exceeds τ" is exactly the threshold above: its FPIR and FNIR are those of the summary.</p>' },
      { title: `Strangers that got in (at FPIR ${targets[0]})`, html: unknowns.join('') },
    ],
  });
}

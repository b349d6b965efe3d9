import type { IdentifyRunResult } from '../runs/identification-folder.js';
import { resultKey } from '../runs/identification-folder.js';
import { cmcSpec, fpirFnirSpec } from './charts.js';
import { escapeHtml, htmlTable, renderReport } from './html.js';
import { challengeHtml, NO_THUMBNAILS, strangersHtml, type Thumbnails } from './identify-strangers.js';

import { count, pct, sci } from './format.js';

const ci = (i: { lower: number; upper: number } | null) => (i ? `[${pct(i.lower)}, ${pct(i.upper)}]` : '–');

/** The split in words: how the gallery and probes were chosen, what was left out, and why FPIR depends on the gallery. */
function splitNoteHtml(run: IdentifyRunResult): string {
  const s = run.record.split;
  const u = s.unknownSources;
  const leaks = run.split.leaks;
  const leakNote = leaks.length === 0 ? '' : ` <strong>${count(leaks.length)} probe(s) leaked</strong> (byte-identical to a gallery image, or listed in both sets) and were left out of every number: ${escapeHtml(leaks.slice(0, 10).map((l) => `${l.probe} = ${l.gallery} (${l.galleryIdentity})`).join('; '))}${leaks.length > 10 ? '; … (split.json lists all)' : ''}.`;
  const tail = ' FPIR grows with the gallery: compare numbers only at the same gallery size.';
  if (s.protocol === 'gallery-probe') {
    const sets = s.sets.source === 'split-column' ? `${s.sets.gallery}, column ${s.sets.splitColumn}` : `gallery ${s.sets.gallery}, probes ${s.sets.probe}`;
    return `<p class="note">Gallery/probe sets given by the data (${escapeHtml(s.sets.source)}: ${escapeHtml(sets)}; unknown label ${escapeHtml(s.sets.unknownLabel ?? 'none')}): ${s.enrolledIdentities} identities enrolled from every gallery image; ${s.matedProbes} mated probes; ${s.nonMatedProbes} non-mated probes (strangers by the unknown label or folder: ${u.datasetUnknowns}; identities absent from the gallery: ${u.notInGallery ?? 0}). Rule: ${escapeHtml(s.rule)}.${leakNote}${tail}</p>`;
  }
  return `<p class="note">Split (seed ${s.seed}): ${s.enrolledIdentities} identities enrolled from ${s.enrol} image(s) each; ${s.matedProbes} mated probes (other images of enrolled people, never an enrolment image); ${s.nonMatedProbes} non-mated probes (${u.datasetUnknowns} unknown people from the dataset, ${u.heldOutShare} held-out identities, ${u.fewImages} identities with ≤ ${s.enrol} images).${leakNote}${tail}</p>`;
}

export function identifyReportHtml(run: IdentifyRunResult, faces: Thumbnails = NO_THUMBNAILS): string {
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
  const splitNote = splitNoteHtml(run);
  const labels = results.map((r) => `${r.model} / ${r.mode}`);
  const charts = [
    cmcSpec(results.map((r, i) => ({ label: labels[i], rank: r.cmc.rank, accuracy: r.cmc.accuracy }))),
    fpirFnirSpec(results.map((r, i) => {
      const c = run.curves.get(resultKey(r.model, r.mode))!;
      return { label: labels[i], fpir: c.fpir, fnir: c.fnir };
    })),
  ];
  const challenge = challengeHtml(results);
  return renderReport({
    title: `Identification report: ${record.dataset.name}`,
    subtitle: `${record.models.map((m) => m.id).join(', ')} · modes ${[...new Set(results.map((r) => r.mode))].join(', ')} · index ${record.index} · fr-workbench ${record.tool.version} · ${record.createdAt}`,
    sections: [
      { title: 'Raw vs aggregated templates', html: summary + splitNote, charts },
      { title: 'FPIR budgets (the budget rule: upper bounds within the target)', html: budgets },
      { title: 'The aivivn decision rule at the first FPIR target', html: policyTable + '<p class="note">The plain rule "unknown if the best distance exceeds τ" is exactly the threshold above: its FPIR and FNIR are those of the summary.</p>' },
      ...(challenge ? [{ title: 'Challenge scoring (aivivn: five labels per probe, MAP@5)', html: challenge }] : []),
      { title: `Strangers that got in (at the first measurable FPIR target)`, html: strangersHtml(results, faces) },
    ],
  });
}

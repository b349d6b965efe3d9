/**
 * The decision report: one exported config measured on one dataset, as a release document QA can sign. Plain
 * HTML with its face images inlined and no script, so it opens offline and prints the same (reports/pdf.ts).
 */
import type { GateResult } from '../experiments/gate.js';
import { TRIALS_OF, type RateByGroup } from '../experiments/groups.js';
import type { RateMeasurement } from '../experiments/decision.js';
import type { ErrorPair } from '../experiments/worst-pairs.js';
import { count, intervalText, pct, ratio, sci } from './format.js';
import { checkCells, sampleText, UNITS, VERDICT_HEADLINE } from './gate-summary.js';
import { escapeHtml as e, htmlTable } from './html.js';

export interface DecisionReportInput {
  gate: GateResult;
  /** Dataset-relative image path → an inlined thumbnail (data: URI), or null when it could not be read. */
  faces: ReadonlyMap<string, string | null>;
  /** The command or view that produced it, for the record. */
  producedBy: string;
}

const rateText = (m: RateMeasurement) => (m.rate === 'FMR' ? sci : pct);

function ratesSection(g: GateResult): string {
  const row = (m: RateMeasurement) => {
    const f = rateText(m);
    return [
      m.rate,
      `${count(m.errors)} / ${count(m.trials)}`,
      f(m.clopperPearson.estimate),
      intervalText(m.clopperPearson, f),
      m.bootstrap ? intervalText(m.bootstrap, f) : 'bootstrap off',
      `${m.upperClopperPearson.upper.toExponential(3)}${m.upperBootstrap ? ` / ${m.upperBootstrap.upper.toExponential(3)}` : ''}`,
      sci(m.lowestBackable),
    ];
  };
  const m = g.measured;
  const fta = m.failuresToAcquire;
  const boot = m.bootstrap ? `${count(m.bootstrap.replicates)} replicates over ${count(m.bootstrap.identities)} ${m.bootstrap.unit === 'image' ? 'images (this set names no identities)' : 'identities'}, seed ${m.bootstrap.seed}` : 'not run';
  return (
    htmlTable(['rate', `errors / ${UNITS[m.kind].all}`, 'estimate', 'Clopper-Pearson (two-sided)', `bootstrap over ${m.bootstrap?.unit === 'image' ? 'images' : 'identities'} (two-sided)`, `one-sided ${Math.round(100 * m.level)}% upper bound: Clopper-Pearson / bootstrap`, `lowest rate these ${UNITS[m.kind].all} can back`], [row(m.fmr), row(m.fnmr)]) +
    `<p class="note">System level, as the engine decides (${m.kind === 'identification' ? `a probe is answered with its top-1 identity iff its score ≥ ${m.threshold}, else unknown): ${count(fta.genuine)} mated probes that lost a face count as misses, ${count(fta.impostor)} strangers as correctly unknown` : `accept iff similarity ≥ ${m.threshold}): ${count(fta.genuine)} genuine comparisons that lost a face count as false non-matches, ${count(fta.impostor)} impostor ones as correct rejects`}. Bootstrap: ${e(boot)}. "Lowest rate these ${UNITS[m.kind].all} can back" is the one-sided upper bound with no error at all: a smaller budget needs more data, whatever the model does.</p>`
  );
}

function budgetsSection(g: GateResult): string {
  const rows = g.checks.map((c) => {
    const cells = checkCells(c);
    return [c.name, cells.measured, cells.bound, String(c.budget), c.verdict, c.message];
  });
  return htmlTable(['budget', 'measured', 'bound', 'budget value', 'verdict', 'in words'], rows).replace(/<td>(pass|fail|cannot-back)<\/td>/g, (_m, v: string) => `<td class="v-${v}">${v}</td>`);
}

function groupTable(by: RateByGroup, level: number): string {
  const f = by.rate === 'FMR' ? sci : pct;
  const rows: Array<Array<string | number>> = by.groups.map((x) => [x.group, `${count(x.errors)} / ${count(x.trials)}`, x.rate ? f(x.rate.estimate) : '–', x.rate ? intervalText(x.rate, f) : '–', by.trialsToBack === null ? '– (no pooled rate to back)' : x.backed ? 'yes' : `no: under ${count(by.trialsToBack)} ${TRIALS_OF[by.rate]}`]);
  if (by.crossGroup.trials) rows.push(['(between groups)', `${count(by.crossGroup.errors)} / ${count(by.crossGroup.trials)}`, f(by.crossGroup.errors / by.crossGroup.trials), 'reported apart', '–']);
  if (by.notGiven.trials) rows.push(['(value not known)', `${count(by.notGiven.errors)} / ${count(by.notGiven.trials)}`, f(by.notGiven.errors / by.notGiven.trials), 'reported apart', '–']);
  const d = by.differential;
  const diff = d
    ? `Differential max/min ${ratio(d.estimate)} (${e(d.highest)} over ${e(d.lowest)}), ${Math.round(100 * d.level)}% bounds [${ratio(d.lower)}, ${ratio(d.upper)}], ${e(d.method)}.`
    : `No differential: ${e(by.why ?? '')}.`;
  return `<h4>${by.rate}</h4>${htmlTable(['group', `errors / ${TRIALS_OF[by.rate]}`, by.rate, `${Math.round(100 * level)}% interval`, 'can back the pooled rate'], rows)}<p class="note">${diff}</p>`;
}

function groupsSection(g: GateResult): string {
  if (g.measured.groups.length === 0) return '<p>No attributes to group by.</p>';
  return (
    '<p class="note">At the one deployed threshold. An impostor comparison belongs to a group when both images do; a genuine one when its person does (for an attribute of the image: when both images do). A group too small to back a rate as low as the pooled one is shown and marked, and left out of the differential.</p>' +
    g.measured.groups
      .map((a) => `<div class="group"><h3>${e(a.attribute)} <span class="tag">${a.source === 'supplied' ? `supplied, per ${a.per}` : 'derived from the images'}</span></h3>${groupTable(a.fmr, g.measured.level)}${groupTable(a.fnmr, g.measured.level)}</div>`)
      .join('')
  );
}

function pairsHtml(pairs: ErrorPair[], faces: ReadonlyMap<string, string | null>, none: string): string {
  if (pairs.length === 0) return `<p>${e(none)}</p>`;
  const face = (p: string) => {
    const src = faces.get(p);
    return src ? `<img src="${src}" alt="${e(p)}">` : '<div class="noimg">image unreadable</div>';
  };
  return `<div class="pairs">${pairs.map((p) => `<figure>${face(p.a)}${face(p.b)}<figcaption>${p.score.toFixed(4)}<br><span>${e(p.a)}</span><br><span>${e(p.b)}</span></figcaption></figure>`).join('')}</div>`;
}

function worstSection(g: GateResult, faces: ReadonlyMap<string, string | null>): string {
  const w = g.measured.worst;
  if (g.measured.kind === 'identification') {
    return `<h3>Strangers answered with someone (beside an enrolment image of who they were taken for), highest top-1 score first</h3>${pairsHtml(w.falseMatches, faces, 'No stranger was answered at this threshold.')}<h3>Mated probes not answered with their own identity (beside one of their enrolment images), lowest top-1 score first</h3>${pairsHtml(w.falseNonMatches, faces, 'Every mated probe with a face was found.')}`;
  }
  return `<h3>False matches (different people accepted), highest similarity first</h3>${pairsHtml(w.falseMatches, faces, 'No false match at this threshold.')}<h3>False non-matches (one person rejected), lowest similarity first</h3>${pairsHtml(w.falseNonMatches, faces, 'No false non-match among the comparisons with a face.')}`;
}

export function decisionReportHtml(input: DecisionReportInput): string {
  const g = input.gate;
  const c = g.config;
  const p = g.promised;
  const [fm, fnm] = [g.measured.fmr.rate, g.measured.fnmr.rate];
  const configRows: Array<[string, string]> = [
    ['config content hash (sha256)', c.contentHash],
    ['model', `${c.model}, sha256 ${c.modelSha256}`],
    ['detector', c.detectorSha256 ? `${c.detector}, sha256 ${c.detectorSha256}` : c.detector],
    ['pipeline key (preprocessing)', c.pipelineKey],
    ['decision rule', `${c.rule} [${c.ruleKind}]`],
    ['threshold', g.measured.kind === 'identification' ? `a probe is answered with its top-1 identity iff its cosine similarity ≥ ${c.threshold}, else "unknown"` : `accept iff cosine similarity ≥ ${c.threshold}`],
    ['promised by the config', p ? `${fm} ${sci(p.fmr.estimate)} ${intervalText(p.fmr, sci)}; ${fnm} ${pct(p.fnmr.estimate)} ${intervalText(p.fnmr)}${p.fmrUpper ? `; ${fm} one-sided upper bound ${sci(p.fmrUpper.upper)}` : ''}` : '–'],
  ];
  const d = g.dataset;
  const dataRows: Array<[string, string]> = [
    ['dataset', d.name],
    ['manifest hash (sha256)', d.manifestHash],
    ['protocol', d.protocol],
    ['size', `${count(d.images)} images of ${count(d.identities)} identities; ${sampleText(g)}`],
  ];
  const kv = (rows: Array<[string, string]>) => `<table class="kv">${rows.map(([k, v]) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`).join('')}</table>`;
  const signRows = ['Prepared by', 'Reviewed by (QA)', 'Approved for release'].map((r) => `<tr><th>${r}</th><td></td><td></td><td></td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Decision report: ${e(c.model)} at ${c.threshold} on ${e(d.name)}</title>
<style>
@page{size:A4;margin:14mm}
body{font:12px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{margin:0 0 .2rem;font-size:22px}h2{margin-top:1.6rem;border-bottom:2px solid #333;padding-bottom:.15rem;font-size:16px}h3{font-size:14px}h4{margin:.6rem 0 0}
.sub{color:#555;margin-top:0}.note{color:#555;font-size:11px}
table{border-collapse:collapse;margin:.4rem 0 .8rem;font-variant-numeric:tabular-nums;width:100%}
th,td{border:1px solid #ccc;padding:.25rem .45rem;text-align:left;vertical-align:top;word-break:break-word}th{background:#f2f2f2}
table.kv th{width:14rem}
.verdict{font-size:18px;font-weight:700;padding:.6rem .9rem;border-radius:4px;margin:.8rem 0}
.verdict.pass{background:#e3f4e8;border:2px solid #2d7d46}.verdict.fail{background:#fbe4e4;border:2px solid #b3261e}.verdict.cannot-back{background:#fff4d6;border:2px solid #a86b00}
td.v-pass,td.v-fail,td.v-cannot-back{white-space:nowrap}
td.v-pass{color:#2d7d46;font-weight:600}td.v-fail{color:#b3261e;font-weight:600}td.v-cannot-back{color:#a86b00;font-weight:600}
.tag{font-weight:400;color:#666;font-size:11px}
.pairs{display:flex;flex-wrap:wrap;gap:.6rem}figure{margin:0;width:170px;break-inside:avoid}figure img,.noimg{width:84px;height:84px;object-fit:cover;display:inline-block;background:#eee}
.noimg{font-size:10px;text-align:center;line-height:84px;color:#888}figcaption{font-size:10px;color:#444;word-break:break-all}figcaption span{color:#777}
.group,section{break-inside:avoid-page}
table.sign td{height:2.2rem}
</style></head><body>
<h1>Decision report</h1>
<p class="sub">${e(c.model)} · threshold ${c.threshold} · on ${e(d.name)} (${e(d.protocol)}) · ${e(g.ran.at)} · ${e(g.ran.tool)}</p>
<div class="verdict ${g.verdict}">${e(VERDICT_HEADLINE[g.verdict])}</div>
<section><h2>1. Budgets and verdicts</h2>${budgetsSection(g)}<p class="note">A rate budget passes only when its one-sided upper bound, the more conservative of Clopper-Pearson's and the bootstrap over ${g.measured.bootstrap?.unit === 'image' ? "images' (this set names no identities)" : "identities'"}, is within it; a differential budget when the differential's upper bound is. "cannot-back": the data is too small to decide.</p></section>
<section><h2>2. The deployed configuration</h2>${kv(configRows)}</section>
<section><h2>3. The data it was measured on</h2>${kv(dataRows)}</section>
<section><h2>4. Error rates at the deployed threshold</h2>${ratesSection(g)}</section>
<section><h2>5. Worst errors at the deployed threshold</h2>${worstSection(g, input.faces)}</section>
<section><h2>6. Group differentials</h2>${groupsSection(g)}</section>
<section><h2>7. Sign-off</h2><p>Decision: ☐ release &nbsp; ☐ do not release &nbsp; ☐ release with the conditions below</p><table class="sign"><tr><th>role</th><th>name</th><th>signature</th><th>date</th></tr>${signRows}</table><p>Conditions and comments:</p><div style="border:1px solid #ccc;height:5rem"></div></section>
<p class="note">Produced by ${e(input.producedBy)}. Definitions: docs/metrics.md (FMR/FNMR and FPIR/FNIR in the vocabulary of ISO/IEC 19795-1; backed targets; group differentials).</p>
</body></html>
`;
}

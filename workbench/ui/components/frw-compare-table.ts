import { html } from 'lit';
import { bytes, count, intervalText, pct, sci } from '../../../reports/format.js';
import type { CompareResult, IdentificationRow, VerificationRow } from '../lib/api.js';
import { LightElement } from '../lib/light-element.js';

const big = (n: number | null | undefined) => (n === null || n === undefined ? '–' : n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(n));

/**
 * The rows of a comparison (usecases/compare.ts): one per model (per model and mode for identification) with its
 * accuracy and its facts; every number is the server's, shown with its interval or the reason it is missing.
 */
export class FrwCompareTable extends LightElement {
  static override properties = { result: { attribute: false } };
  declare result: CompareResult | null;

  constructor() {
    super();
    this.result = null;
  }

  override render() {
    const r = this.result;
    if (!r) return null;
    return r.kind === 'eval' ? this.verification(r.rows, r.targets) : this.identification(r.rows, r.targets);
  }

  /** TAR@FMR columns for the targets some row can measure; the others are named once under the table. */
  private verification(rows: VerificationRow[], targets: number[]) {
    const shown = targets.filter((f) => rows.some((row) => row.tarAtFmr.some((t) => t.targetFmr === f && t.measurable)));
    const hidden = targets.filter((f) => !shown.includes(f));
    return html`<table class="compare-table">
        <thead><tr><th>model</th><th>10-fold accuracy (mean ± sd)</th><th>AUC</th><th>EER [FVC2000 interval] · identity bootstrap</th>
          ${shown.map((f) => html`<th>TAR @ FMR = ${sci(f)} [95% Clopper-Pearson]</th>`)}${this.factHeads()}</tr></thead>
        <tbody>${rows.map((row) => html`<tr>
          <th title=${`run ${row.run}, model ${row.model}`}>${row.label}</th>
          <td>${row.tenFold ? `${pct(row.tenFold.mean)} ± ${pct(row.tenFold.std)}` : '– (no folds)'}</td>
          <td>${row.auc.toFixed(5)}</td>
          <td>${pct(row.eer.estimate)} [${pct(row.eer.lower)}, ${pct(row.eer.upper)}] <small>${row.eer.method}</small>${row.eer.bootstrap ? html`<br /><small>${intervalText(row.eer.bootstrap)}</small>` : html`<br /><small>${row.eer.bootstrapSkipped ?? ''}</small>`}</td>
          ${shown.map((f) => {
            const t = row.tarAtFmr.find((x) => x.targetFmr === f);
            if (!t) return html`<td>not computed in this run</td>`;
            if (!t.measurable) return html`<td>not measurable: FMR ≥ ${sci(t.smallestMeasurableFmr)}</td>`;
            return html`<td>${pct(t.tar!)} ${intervalText(t.interval)}<br />${t.backed ? html`<span class="backed">backed</span>` : html`<small class="not-backed">not backed: it takes ${count(t.impostorsToBack)} impostor comparisons with no false match</small>`}</td>`;
          })}
          ${this.facts(row)}
        </tr>`)}</tbody>
      </table>
      ${hidden.length ? html`<p class="note">TAR @ FMR = ${hidden.map(sci).join(', ')}: not measurable with ${count(Math.min(...rows.map((x) => x.counts.impostor)))} impostor comparisons.</p>` : null}
      ${this.notes(rows)}`;
  }

  private identification(rows: IdentificationRow[], targets: number[]) {
    return html`<table class="compare-table">
        <thead><tr><th>model / matching</th><th>rank-1 [95% Clopper-Pearson]</th><th>gallery (identities / vectors)</th>
          ${targets.map((h) => html`<th>FNIR @ FPIR = ${sci(h)} [95% Clopper-Pearson]</th>`)}${this.factHeads()}</tr></thead>
        <tbody>${rows.map((row) => html`<tr>
          <th title=${`run ${row.run}, model ${row.model}, mode ${row.mode}`}>${row.label}</th>
          <td>${pct(row.rank1.estimate)} ${intervalText(row.rank1.interval)}</td>
          <td>${count(row.gallery.identities)} / ${count(row.gallery.vectors)}</td>
          ${targets.map((h) => {
            const p = row.fnirAtFpir.find((x) => x.targetFpir === h);
            if (!p) return html`<td>not computed in this run</td>`;
            if (!p.measurable) return html`<td>not measurable: FPIR ≥ ${sci(p.smallestMeasurableFpir)} with ${count(p.nonMated)} strangers</td>`;
            return html`<td>${pct(p.fnir)} ${intervalText(p.fnirInterval)}<br />${p.backed ? html`<span class="backed">backed</span>` : html`<small class="not-backed">not backed: it takes ${count(p.nonMatedToBack)} strangers</small>`}</td>`;
          })}
          ${this.facts(row)}
        </tr>`)}</tbody>
      </table>
      ${this.notes(rows)}`;
  }

  private factHeads() {
    return html`<th>embedding speed</th><th>parameters</th><th>multiply-adds</th><th>file size</th><th>dim</th><th>licence</th>`;
  }

  private facts(row: VerificationRow | IdentificationRow) {
    const s = row.speed;
    const f = row.facts;
    return html`<td>${s ? html`${s.msPerFace.toFixed(2)} ms/face <small>(embedding stage; ${s.runtime ?? 'runtime unrecorded'}, ${s.sessionThreads} thread × ${s.workers} workers on ${s.machine.cpu}; ${count(s.faces)} ${s.dataset} faces, ${s.measuredAt.slice(0, 10)}, ${s.source})</small>` : html`<small>${row.speedNote}</small>`}</td>
      <td>${f.cost ? big(f.cost.parameters) : html`<small>not counted</small>`}</td>
      <td>${f.cost?.multiplyAdds != null ? big(f.cost.multiplyAdds) : html`<small>not counted</small>`}</td>
      <td>${f.bytes === null ? '–' : bytes(f.bytes)}</td>
      <td>${f.dim ?? '–'}</td>
      <td><small>${f.licence ?? '–'}</small></td>`;
  }

  /** What the facts columns could not say, and how parameters and multiply-adds were counted, once per model. */
  private notes(rows: Array<VerificationRow | IdentificationRow>) {
    const seen = new Map<string, string>();
    for (const row of rows) for (const n of [row.facts.note, row.facts.costNote, row.facts.cost ? `counted: ${row.facts.cost.method}` : null]) if (n && !seen.has(`${row.model}\0${n}`)) seen.set(`${row.model}\0${n}`, `${row.model}: ${n}`);
    return seen.size ? html`<ul class="note compare-notes">${[...seen.values()].map((n) => html`<li>${n}</li>`)}</ul>` : null;
  }
}
customElements.define('frw-compare-table', FrwCompareTable);

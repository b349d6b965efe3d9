import { html } from 'lit';
import { cmcSpec, fpirFnirSpec } from '../../../reports/charts.js';
import { api, type ModeResult, type RunListing } from '../lib/api.js';
import { count, intervalText, pct, sci } from '../../../reports/format.js';
import { RunView } from '../lib/run-view.js';
import { navigate } from '../lib/navigate.js';

/** Open-set identification results: raw (every gallery vector) against mean templates, side by side. */
export class FrwIdentificationView extends RunView {
  protected override offered(all: RunListing[]): RunListing[] {
    return all.filter((r) => r.kind === 'identify');
  }

  override render() {
    if (this.error) return html`<frw-status state="error" .message=${this.error}></frw-status>`;
    if (this.runs && this.runs.length === 0) return html`<frw-status state="empty" message="No identification runs yet. On the Experiments page choose “open-set identification” and start one (lfw-mini takes seconds)."></frw-status>`;
    const rec = this.detail?.identification;
    if (!rec) return html`<frw-status state="loading" message="Loading the run…"></frw-status>`;
    const label = (r: ModeResult) => `${r.model} / ${r.mode}`;
    const curves = this.detail!.curves?.curves ?? {};
    const targets = rec.results[0]?.fnirAtFpir.map((p) => p.targetFpir) ?? [];
    return html`<section class="panel identification">
      <div class="toolbar">
        <label>Run <select id="identify-run" @change=${(e: Event) => navigate('identification', { run: (e.target as HTMLSelectElement).value })}>
          ${this.runs!.map((r) => html`<option value=${r.id} ?selected=${r.id === this.detail!.id}>${r.id}</option>`)}</select></label>
        <span class="note">${rec.dataset.name} · ${count(rec.split.enrolledIdentities)} enrolled (${rec.split.protocol === 'gallery-probe' ? 'gallery/probe sets: every gallery image' : `k = ${rec.split.enrol}`}) · ${count(rec.split.matedProbes)} mated probes · ${count(rec.split.nonMatedProbes)} strangers · index ${rec.index}</span>
      </div>
      <frw-run-downloads .runId=${this.detail!.id} .files=${this.detail!.files} .hasReport=${this.detail!.hasReport}></frw-run-downloads>
      ${rec.split.enrol === 1 ? html`<p class="note">With one enrolment image per identity, raw and mean galleries hold the same vectors, so their results are equal by definition; enrol k ≥ 2 to see what averaging templates buys.</p>` : null}
      <table class="identify-table">
        <thead><tr><th>model / matching</th><th>gallery (identities / vectors)</th><th>rank-1 [95% Clopper-Pearson]</th>
          ${targets.map((t) => html`<th>FNIR @ FPIR = ${sci(t)} [95%]</th>`)}<th>search speed</th></tr></thead>
        <tbody>${rec.results.map((r) => html`<tr>
          <th>${label(r)}</th>
          <td>${count(r.gallery.identities)} / ${count(r.gallery.vectors)}</td>
          <td>${pct(r.rank1.estimate)} ${intervalText(r.rank1.interval)}<br /><small>${count(r.rank1.hits)} of ${count(r.rank1.probes)}</small></td>
          ${r.fnirAtFpir.map((p) => html`<td>${p.measurable
            ? html`${pct(p.fnir)} ${intervalText(p.fnirInterval)}<br /><small>threshold ${p.threshold.toFixed(4)}; achieved FPIR ${sci(p.achievedFpir)}${p.bootstrap ? html`; bootstrap ${intervalText(p.bootstrap)}` : ''};
                ${p.backed === undefined ? '' : p.backed ? html`<span class="backed">backed</span>` : html`<span class="not-backed">not backed${p.nonMated < p.nonMatedToBack ? `: it takes ${count(p.nonMatedToBack)} strangers` : ': see the FPIR budget rule in Export'}</span>`}</small>`
            : html`not measurable: FPIR ≥ ${sci(p.smallestMeasurableFpir)} with ${count(p.nonMated)} strangers`}</td>`)}
          <td>${count(Math.round(r.search.queriesPerSecond))} queries/s</td>
        </tr>`)}</tbody>
      </table>
      <div class="chart-row">
        <frw-chart label="CMC curves" .spec=${cmcSpec(rec.results.map((r) => ({ label: label(r), rank: r.cmc.rank, accuracy: r.cmc.accuracy })))}></frw-chart>
        <frw-chart label="FNIR against FPIR" .spec=${fpirFnirSpec(rec.results.filter((r) => curves[`${r.model}/${r.mode}`]).map((r) => ({ label: label(r), fpir: curves[`${r.model}/${r.mode}`].fpir, fnir: curves[`${r.model}/${r.mode}`].fnir })))}></frw-chart>
      </div>
      ${rec.results.map((r) => html`<h3>${label(r)}: strangers accepted at FPIR = ${sci(targets[0])}</h3>
        ${r.unknownsAccepted.length === 0
          ? html`<p class="status empty">No stranger got in at this threshold.</p>`
          : html`<div class="pairs">${r.unknownsAccepted.slice(0, 12).map((u) => this.stranger(r.model, u))}</div>`}`)}
    </section>`;
  }

  /** A stranger who got in, beside the enrolled person they were taken for (their first enrolment photo). */
  private stranger(model: string, u: ModeResult['unknownsAccepted'][number]) {
    const d = this.detail!;
    const mate = d.enrolment?.[u.matched]?.[0];
    return html`<div class="stranger">
      ${mate
        ? html`<frw-face-pair .runId=${d.id} .model=${model} .view=${'context'} .a=${u.image} .b=${mate} .score=${u.score} .kind=${'stranger accepted'}></frw-face-pair>`
        : html`<img class="photo" src=${api.faceUrl(d.id, model, u.image, 'context', 224)} alt=${u.image} loading="lazy" />`}
      <small>taken for <strong>${u.matched}</strong>${mate ? ' (right: their enrolment photo)' : ''}</small>
    </div>`;
  }
}
customElements.define('frw-identification-view', FrwIdentificationView);

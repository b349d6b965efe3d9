import { html } from 'lit';
import { detSpec, distributionsOverlaySpec, rocSpec } from '../../../reports/charts.js';
import { api, type ModelListing, type RunListing } from '../lib/api.js';
import { bytes, count, intervalText, pct, sci } from '../../../reports/format.js';
import { finiteNumbers } from '../lib/format.js';
import { RunView } from '../lib/run-view.js';
import { navigate } from '../lib/navigate.js';

/** Models of one run compared on the same comparisons: overlaid ROC, DET and distributions, and a table. */
export class FrwCompareView extends RunView {
  static override properties = { models: { state: true } };
  declare models: ModelListing[];

  constructor() {
    super();
    this.models = [];
  }

  /** Runs with several models first: those are the ones to compare. */
  protected override offered(all: RunListing[]): RunListing[] {
    return all.filter((r) => r.kind === 'eval').sort((a, b) => Number(b.models.length > 1) - Number(a.models.length > 1));
  }

  protected override async prepare(): Promise<void> {
    this.models = (await api.models()).models;
  }

  override render() {
    if (this.error) return html`<frw-status state="error" .message=${this.error}></frw-status>`;
    if (this.runs && this.runs.length === 0) return html`<frw-status state="empty" message="No evaluation runs yet. On the Experiments page, tick two or more models and start a run: they are scored on the same pairs."></frw-status>`;
    if (!this.detail?.metrics || !this.detail.curves?.models) return html`<frw-status state="loading" message="Loading the run…"></frw-status>`;
    const d = this.detail;
    const ids = Object.keys(d.metrics!.models);
    const curves = d.curves!.models!;
    const card = (id: string) => this.models.find((m) => m.id === id);
    return html`<section class="panel compare">
      <div class="toolbar">
        <label>Run <select id="compare-run" @change=${(e: Event) => navigate('compare', { run: (e.target as HTMLSelectElement).value })}>
          ${this.runs!.map((r) => html`<option value=${r.id} ?selected=${r.id === d.id}>${r.id} (${r.models.join(', ')})</option>`)}</select></label>
        <span class="note">${d.run?.dataset.name} · ${d.metrics!.protocol} · every model scored on the same comparisons</span>
      </div>
      <frw-run-downloads .runId=${this.detail!.id} .files=${this.detail!.files} .hasReport=${this.detail!.hasReport}></frw-run-downloads>
      ${ids.length < 2 ? html`<frw-status state="empty" message="This run has one model. Start a run with two or more models to compare them."></frw-status>` : null}
      <table class="compare-table">
        <thead><tr><th>model</th><th>AUC</th><th>EER [FVC2000 crossing interval]</th><th>TAR @ FMR = 1e-3 [95% Clopper-Pearson]</th><th>10-fold accuracy</th><th>embedding speed</th><th>file size</th><th>dim</th><th>licence</th></tr></thead>
        <tbody>${ids.map((id) => {
          const m = d.metrics!.models[id];
          const t = m.tarAtFmr.find((x) => x.targetFmr === 1e-3);
          const c = card(id);
          return html`<tr>
            <th>${id}</th>
            <td>${m.auc.toFixed(5)}</td>
            <td>${pct(m.eer.estimate)} [${pct(m.eer.lower)}, ${pct(m.eer.upper)}] ${m.eer.bootstrap ? html`<br /><small>${intervalText(m.eer.bootstrap)}</small>` : ''}</td>
            <td>${t?.measurable ? html`${pct(t.tar!)} ${intervalText(t.interval)}` : html`not measurable: FMR ≥ ${sci(t?.smallestMeasurableFmr ?? Number.NaN)} with ${count(m.counts.impostor)} impostor comparisons`}</td>
            <td>${m.tenFold ? `${pct(m.tenFold.mean)} ± ${pct(m.tenFold.std)}` : '–'}</td>
            <td>${c?.speed
              ? html`${c.speed.msPerImage.toFixed(1)} ms/image wall-clock <small>(decode + detect + align + embed; ${c.speed.images} ${c.speed.dataset} images in run ${c.speed.runId}${c.speed.runId === d.id ? ', this run' : ''})</small>`
              : 'not measured: every run read these embeddings from the cache'}</td>
            <td>${bytes(c?.bytes ?? null)}</td>
            <td>${c && c.task === 'embedding' ? c.output.dim : '–'}</td>
            <td><small>${c?.licence ?? '–'}</small></td>
          </tr>`;
        })}</tbody>
      </table>
      <div class="chart-row">
        <frw-chart label="ROC of every model" .spec=${rocSpec(ids.map((id) => ({ model: id, x: curves[id].chart.fmr, y: curves[id].chart.tar })), ids.map((id) => ({ model: id, fmr: d.metrics!.models[id].eer.estimate, tar: 1 - d.metrics!.models[id].eer.estimate, label: 'EER' })))}></frw-chart>
        <frw-chart label="DET of every model" .spec=${detSpec(ids.map((id) => ({ model: id, x: finiteNumbers(curves[id].chart.probitFmr), y: finiteNumbers(curves[id].chart.probitFnmr) })))}></frw-chart>
      </div>
      <frw-chart label="distributions of every model" .spec=${distributionsOverlaySpec(ids.filter((id) => !d.metrics!.models[id].fusion).map((id) => ({ model: id, ...curves[id].histograms })), 'similarity')}></frw-chart>
      ${ids.some((id) => d.metrics!.models[id].fusion) ? html`<p class="note">The fused score is in impostor standard deviations, not cosine similarity: it is in the table, ROC and DET, not in the distributions.</p>` : null}
    </section>`;
  }
}
customElements.define('frw-compare-view', FrwCompareView);

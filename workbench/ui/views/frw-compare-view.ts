import { html, type PropertyValues } from 'lit';
import { cmcSpec, detSpec, distributionsOverlaySpec, fpirFnirSpec, rocSpec } from '../../../reports/charts.js';
import { api, ApiError, type CompareResult, type RunDetail, type RunListing } from '../lib/api.js';
import { finiteNumbers } from '../lib/format.js';
import { LightElement } from '../lib/light-element.js';
import { navigate } from '../lib/navigate.js';

/**
 * Models compared on the same comparisons: the models of one run, or of several runs when they scored the same
 * comparisons (the server checks like for like and refuses otherwise, with the reason). The table and the paired
 * tests come from the server's compare use case; the charts overlay the runs' own curves.
 */
export class FrwCompareView extends LightElement {
  static override properties = {
    runId: { type: String },
    runIds: { type: String },
    runs: { state: true },
    result: { state: true },
    details: { state: true },
    refusal: { state: true },
    error: { state: true },
  };
  /** `?run=<id>`: one run; `?runs=<id>,<id>`: several. */
  declare runId: string;
  declare runIds: string;
  declare runs: RunListing[] | null;
  declare result: CompareResult | null;
  declare details: RunDetail[];
  declare refusal: string | null;
  declare error: string | null;
  private selected: string[] = [];

  constructor() {
    super();
    this.runId = '';
    this.runIds = '';
    this.runs = null;
    this.result = null;
    this.details = [];
    this.refusal = null;
    this.error = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('runId') || changed.has('runIds')) void this.load();
  }

  private async load(): Promise<void> {
    this.error = null;
    this.refusal = null;
    this.result = null;
    this.details = [];
    try {
      // Runs with several models first: those are the ones to compare.
      this.runs = (await api.runs()).runs.filter((r) => !r.problem).sort((a, b) => Number(b.kind === 'eval') - Number(a.kind === 'eval') || Number(b.models.length > 1) - Number(a.models.length > 1));
      const asked = this.runIds ? this.runIds.split(',').filter(Boolean) : this.runId ? [this.runId] : [];
      this.selected = asked.length ? asked : this.runs.slice(0, 1).map((r) => r.id);
      if (this.selected.length === 0) return;
      const wanted = this.selected.join(',');
      const [details, result] = await Promise.all([
        Promise.all(this.selected.map((id) => api.run(id))),
        api.compare(this.selected).catch((e: unknown) => {
          if (e instanceof ApiError && e.code === 'NOT_COMPARABLE') return e.message;
          throw e;
        }),
      ]);
      if (wanted !== this.selected.join(',')) return; // a newer selection is loading
      this.details = details;
      if (typeof result === 'string') this.refusal = result;
      else this.result = result;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private pick(ids: string[]): void {
    navigate('compare', ids.length > 1 ? { runs: ids.join(',') } : { run: ids[0] });
  }

  override render() {
    if (this.error) return html`<frw-status state="error" .message=${this.error}></frw-status>`;
    if (this.runs && this.runs.length === 0) return html`<frw-status state="empty" message="No runs yet. On the Experiments page, tick two or more models and start a run: they are scored on the same pairs."></frw-status>`;
    if (!this.runs) return html`<frw-status state="loading" message="Loading the runs…"></frw-status>`;
    const [primary, ...others] = this.selected;
    return html`<section class="panel compare">
      <div class="toolbar">
        <label>Run <select id="compare-run" @change=${(e: Event) => this.pick([(e.target as HTMLSelectElement).value])}>
          ${this.runs.map((r) => html`<option value=${r.id} ?selected=${r.id === primary}>${r.id} (${r.models.join(', ')})</option>`)}</select></label>
        ${this.result ? html`<span class="note basis">like for like: ${this.result.basis}</span>` : null}
      </div>
      <details class="more-runs" ?open=${others.length > 0}>
        <summary>Compare with other runs (${others.length} ticked): only runs that scored the same comparisons line up</summary>
        <div class="run-choices">${this.runs.filter((r) => r.id !== primary).map((r) => html`<label><input type="checkbox" name="with-run" value=${r.id} .checked=${others.includes(r.id)}
            @change=${(e: Event) => this.pick((e.target as HTMLInputElement).checked ? [...this.selected, r.id] : this.selected.filter((x) => x !== r.id))} />
          ${r.id} <small>${r.kind === 'eval' ? r.protocol : 'identification'} · ${r.dataset} · ${r.models.join(', ')}</small></label>`)}</div>
      </details>
      ${this.details.length === 1 ? html`<frw-run-downloads .runId=${this.details[0].id} .files=${this.details[0].files} .hasReport=${this.details[0].hasReport}></frw-run-downloads>` : null}
      ${this.body()}
    </section>`;
  }

  private body() {
    if (this.refusal) return html`<div class="refusal" role="alert"><strong>Not compared.</strong> ${this.refusal}</div>`;
    const r = this.result;
    if (!r) return html`<frw-status state="loading" message="Lining up the models and running the paired tests…"></frw-status>`;
    return html`${r.rows.length < 2 ? html`<frw-status state="empty" message="One model here. Start a run with two or more models, or tick another run scored on the same comparisons."></frw-status>` : null}
      <frw-compare-table .result=${r}></frw-compare-table>
      ${r.kind === 'eval' ? this.verificationCharts(r) : this.identificationCharts(r)}
      <frw-paired-tests .result=${r}></frw-paired-tests>`;
  }

  /** ROC, DET and distributions of every row, from each run's own curves.json, labelled as the table labels them. */
  private verificationCharts(r: CompareResult & { kind: 'eval' }) {
    const curve = (run: string, model: string) => this.details.find((d) => d.id === run)?.curves?.models?.[model];
    const rows = r.rows.filter((row) => curve(row.run, row.model));
    const c = (row: (typeof rows)[number]) => curve(row.run, row.model)!;
    return html`<div class="chart-row">
        <frw-chart label="ROC of every model" .spec=${rocSpec(rows.map((row) => ({ model: row.label, x: c(row).chart.fmr, y: c(row).chart.tar })), rows.map((row) => ({ model: row.label, fmr: row.eer.estimate, tar: 1 - row.eer.estimate, label: 'EER' })))}></frw-chart>
        <frw-chart label="DET of every model" .spec=${detSpec(rows.map((row) => ({ model: row.label, x: finiteNumbers(c(row).chart.probitFmr), y: finiteNumbers(c(row).chart.probitFnmr) })))}></frw-chart>
      </div>
      <frw-chart label="distributions of every model" .spec=${distributionsOverlaySpec(rows.filter((row) => row.pipeline).map((row) => ({ model: row.label, ...c(row).histograms })), 'similarity')}></frw-chart>
      ${rows.some((row) => !row.pipeline) ? html`<p class="note">The fused score is in impostor standard deviations, not cosine similarity: it is in the table, ROC and DET, not in the distributions.</p>` : null}`;
  }

  private identificationCharts(r: CompareResult & { kind: 'identify' }) {
    const detail = (run: string) => this.details.find((d) => d.id === run);
    const result = (row: (typeof r.rows)[number]) => detail(row.run)?.identification?.results.find((x) => x.model === row.model && x.mode === row.mode);
    const curve = (row: (typeof r.rows)[number]) => detail(row.run)?.curves?.curves?.[`${row.model}/${row.mode}`];
    return html`<div class="chart-row">
      <frw-chart label="CMC curves" .spec=${cmcSpec(r.rows.flatMap((row) => ((x) => (x ? [{ label: row.label, rank: x.cmc.rank, accuracy: x.cmc.accuracy }] : []))(result(row))))}></frw-chart>
      <frw-chart label="FNIR against FPIR" .spec=${fpirFnirSpec(r.rows.flatMap((row) => ((x) => (x ? [{ label: row.label, fpir: x.fpir, fnir: x.fnir }] : []))(curve(row))))}></frw-chart>
    </div>`;
  }
}
customElements.define('frw-compare-view', FrwCompareView);

import { html } from 'lit';
import { distributionSpec, detSpec, rocSpec, tailSpec } from '../../../reports/charts.js';
import type { Interval } from '../../../experiments/metrics/index.js';
import { api, type OperatingDetailView, type OperatingPoint, type RunDetail, type RunListing } from '../lib/api.js';
import { count, intervalText, pct, sci } from '../../../reports/format.js';
import { finiteNumbers, scoreRange } from '../lib/format.js';
import { RunView } from '../lib/run-view.js';
import { navigate } from '../lib/navigate.js';
import { verificationRules } from '../lib/rules.js';

/** Models whose scores are cosine similarities: a fused score is in impostor standard deviations, another scale. */
const cosineModels = (d: RunDetail) => Object.entries(d.metrics?.models ?? {}).filter(([, m]) => !m.fusion).map(([id]) => id);

/**
 * The threshold explorer: genuine and impostor distributions with a draggable threshold, the rates there with
 * their intervals, ROC and DET with the operating point, rule presets, and the worst errors as face pairs.
 */
export class FrwExplorerView extends RunView {
  static override properties = { model: { type: String }, threshold: { state: true }, op: { state: true }, rule: { state: true }, opError: { state: true }, faceView: { state: true }, pointDetail: { state: true } };
  declare model: string;
  declare threshold: number | null;
  declare op: OperatingPoint | null;
  /** The rule behind the numbers shown (null for a hand-set threshold): set only once the server has answered for it. */
  declare rule: string | null;
  declare opError: string | null;
  /** Worst pairs as aligned crops (what the model compared) or as photos with the chosen face boxed. */
  declare faceView: 'aligned' | 'context';
  /** Identity-bootstrap intervals and groups at the shown point; null until the server answers for it. */
  declare pointDetail: OperatingDetailView | null;
  private latest: { threshold: number } | { rule: string } | null = null;
  private detailTimer: ReturnType<typeof setTimeout> | null = null;
  /** What the user asked for last (a rule or a threshold), answered or not: what a model switch asks for again. */
  private wanted: { threshold: number } | { rule: string } = { rule: 'eer' };
  private inFlight = false;

  constructor() {
    super();
    this.model = '';
    this.threshold = null;
    this.op = null;
    this.rule = 'eer';
    this.opError = null;
    this.faceView = 'aligned';
    this.pointDetail = null;
  }

  protected override offered(all: RunListing[]): RunListing[] {
    return all.filter((r) => r.kind === 'eval');
  }

  protected override async prepare(detail: RunDetail): Promise<void> {
    if (!detail.metrics || !detail.curves?.models) throw new Error(`run ${detail.id} has no evaluation results to explore`);
    const models = cosineModels(detail);
    if (models.length === 0) throw new Error(`run ${detail.id} holds only fused scores, which are not cosine similarities; open its report instead`);
    if (!models.includes(this.model)) this.model = models[0];
    this.op = null;
    this.applyRule('eer');
  }

  private applyRule(rule: string): void {
    this.wanted = { rule };
    this.request({ rule });
  }

  private onThreshold(e: CustomEvent<{ threshold: number }>): void {
    this.threshold = e.detail.threshold;
    this.wanted = { threshold: e.detail.threshold };
    this.request({ threshold: e.detail.threshold });
  }

  /** One request at a time; while one is out only the newest threshold waits (a drag sends dozens). */
  private request(at: { threshold: number } | { rule: string }): void {
    this.latest = at;
    if (!this.inFlight) void this.pump();
  }

  private async pump(): Promise<void> {
    this.inFlight = true;
    while (this.latest) {
      const at = this.latest;
      this.latest = null;
      const model = this.model;
      try {
        const op = await api.operatingPoint(this.runId, model, at);
        // An answer for a model no longer shown, or overtaken by a newer request, is dropped.
        if (model !== this.model || this.latest) continue;
        // The numbers, the highlighted rule, the threshold line and the export link change together.
        this.op = op;
        this.opError = null;
        this.rule = 'rule' in at ? at.rule : null;
        this.threshold = 'rule' in at ? op.choice.threshold.similarity : at.threshold;
        this.askDetail(model, at);
      } catch (e) {
        if (model === this.model) this.opError = (e as Error).message;
      }
    }
    this.inFlight = false;
  }

  /**
   * The bootstrap and groups take a resampling on the server: asked once the point has stopped moving, and shown
   * only if it is still the point on screen when the answer comes.
   */
  private askDetail(model: string, at: { threshold: number } | { rule: string }): void {
    this.pointDetail = null;
    if (this.detailTimer) clearTimeout(this.detailTimer);
    this.detailTimer = setTimeout(async () => {
      try {
        const d = await api.operatingDetail(this.runId, model, at);
        if (model === this.model && this.stillShown(at)) this.pointDetail = d;
      } catch {
        // Superseded (409) by a newer point, or failed: Clopper-Pearson's numbers stand alone, as before.
      }
    }, 300);
  }

  private stillShown(at: { threshold: number } | { rule: string }): boolean {
    return 'rule' in at ? this.rule === at.rule : this.rule === null && this.threshold === at.threshold;
  }

  /** Another model: the same rule, or the same hand-set threshold; no number of the previous model stays on screen. */
  private chooseModel(model: string): void {
    this.model = model;
    this.op = null;
    this.pointDetail = null;
    this.opError = null;
    navigate('explorer', { run: this.runId, model });
    this.request(this.wanted);
  }

  override render() {
    if (this.error) return html`<frw-status state="error" .message=${this.error}></frw-status>`;
    if (this.runs && this.runs.length === 0) return html`<frw-status state="empty" message="No evaluation runs yet. Start the demo on the Experiments page; its results open here."></frw-status>`;
    if (!this.detail) return html`<frw-status state="loading" message="Loading the run…"></frw-status>`;
    const d = this.detail;
    const curves = d.curves!.models![this.model];
    const m = d.metrics!.models[this.model];
    const range = scoreRange([curves.histograms.genuine, curves.histograms.impostor]);
    const t = this.threshold ?? m.eer.threshold;
    const op = this.op;
    const series = [{ model: this.model, x: curves.chart.fmr, y: curves.chart.tar }];
    const det = [{ model: this.model, x: finiteNumbers(curves.chart.probitFmr), y: finiteNumbers(curves.chart.probitFnmr) }];
    const presets = verificationRules(m);
    const unavailable = presets.filter((p) => p.unavailable !== null);
    return html`<section class="panel explorer">
      <div class="toolbar">
        <label>Run <select id="run" @change=${(e: Event) => navigate('explorer', { run: (e.target as HTMLSelectElement).value })}>
          ${(this.runs ?? []).map((r) => html`<option value=${r.id} ?selected=${r.id === this.runId}>${r.id}</option>`)}</select></label>
        <label>Model <select id="model" @change=${(e: Event) => this.chooseModel((e.target as HTMLSelectElement).value)}>
          ${cosineModels(d).map((id) => html`<option ?selected=${id === this.model}>${id}</option>`)}</select></label>
        <span class="note">${d.run?.dataset.name} · ${d.metrics!.protocol} · ${count(m.counts.genuine)} genuine / ${count(m.counts.impostor)} impostor comparisons
          ${m.counts.excludedFta.genuine + m.counts.excludedFta.impostor > 0 ? html` · ${m.counts.excludedFta.genuine + m.counts.excludedFta.impostor} excluded (failure to acquire)` : ''}</span>
      </div>
      <frw-run-downloads .runId=${this.detail!.id} .files=${this.detail!.files} .hasReport=${this.detail!.hasReport}></frw-run-downloads>
      <div class="presets" role="group" aria-label="threshold rules">
        ${presets.map((p) => html`<button class=${p.rule === this.rule ? 'preset active' : 'preset'} data-rule=${p.rule} ?disabled=${p.unavailable !== null} title=${p.unavailable ?? p.label} @click=${() => this.applyRule(p.rule)}>${p.label}</button>`)}
      </div>
      ${unavailable.length ? html`<ul class="note unavailable-rules">${unavailable.map((p) => html`<li>${p.label}: ${p.unavailable}</li>`)}</ul>` : null}
      <frw-chart label="genuine and impostor score distributions with the threshold" .spec=${distributionSpec({ genuine: curves.histograms.genuine, impostor: curves.histograms.impostor, threshold: t, axis: 'similarity', title: `${this.model}: genuine vs impostor (dashed: threshold)` })}></frw-chart>
      <frw-threshold-slider .value=${t} .min=${range.min} .max=${range.max} @threshold-change=${this.onThreshold}></frw-threshold-slider>
      ${this.opError ? html`<frw-status state="error" .message=${this.opError}></frw-status>` : null}
      ${op ? this.rates(op) : html`<frw-status state="loading" message="Computing the rates…"></frw-status>`}
      <div class="chart-row">
        <frw-chart label="impostor tail near the threshold, log scale" .spec=${tailSpec({ genuine: curves.histograms.genuine, impostor: curves.histograms.impostor, threshold: t, title: `${this.model}: the impostor tail near the threshold (log scale)` })}></frw-chart>
        <frw-chart label="ROC with the operating point" .spec=${rocSpec(series, op ? [{ model: this.model, fmr: op.choice.fmr.estimate, tar: op.tar.estimate, label: 'operating point' }] : [])}></frw-chart>
        <frw-chart label="DET with the operating point" .spec=${detSpec(det, op && op.det.probitFmr !== null && op.det.probitFnmr !== null ? [{ model: this.model, px: op.det.probitFmr, py: op.det.probitFnmr, label: 'operating point' }] : [])}></frw-chart>
      </div>
      ${det[0].x.every((x, i) => !Number.isFinite(x) || !Number.isFinite(det[0].y[i])) ? html`<p class="note">The DET curve is empty: at every threshold FMR or FNMR is 0 or 1 (the classes do not overlap on these comparisons), and a probit axis cannot place 0 or 1.</p>` : null}
      ${op ? this.worst(op) : null}
    </section>`;
  }

  private rates(op: OperatingPoint) {
    const c = op.choice;
    const b = this.pointDetail?.bootstrap ?? null;
    const boot = (i: Interval | null | undefined, f: (x: number) => string = pct) => (i ? intervalText(i, f) : this.pointDetail ? '–' : '…');
    const why = this.pointDetail?.unavailable ?? null;
    return html`<table class="rates" aria-label="rates at the threshold">
      <thead><tr><th></th><th>estimate</th><th>Clopper-Pearson (two-sided)</th><th>bootstrap over identities</th><th>counts</th></tr></thead>
      <tbody>
        <tr><th>threshold</th><td id="threshold-value">${c.threshold.similarity.toFixed(4)} similarity</td><td>= ${c.threshold.cosineDistance.toFixed(4)} cosine distance${c.threshold.l2Distance === null ? '' : html` = ${c.threshold.l2Distance.toFixed(4)} L2`}</td>
          <td id="threshold-bootstrap">${this.rule ? boot(b?.threshold, (x) => x.toFixed(4)) : 'set by hand: no interval of its own'}</td><td>${c.description}</td></tr>
        <tr><th>FMR (false match rate)</th><td id="fmr-value">${pct(c.fmr.estimate)} (${sci(c.fmr.estimate)})</td><td>${intervalText(c.fmr)}</td><td id="fmr-bootstrap">${boot(b?.fmr)}</td><td>${count(c.falseMatches)} of ${count(c.impostorCount)} impostor comparisons accepted</td></tr>
        <tr><th>FNMR (false non-match rate)</th><td id="fnmr-value">${pct(c.fnmr.estimate)}</td><td>${intervalText(c.fnmr)}</td><td id="fnmr-bootstrap">${boot(b?.fnmr)}</td><td>${count(c.falseNonMatches)} of ${count(c.genuineCount)} genuine comparisons rejected</td></tr>
        <tr><th>TAR (true accept rate)</th><td id="tar-value">${pct(op.tar.estimate)}</td><td>${intervalText(op.tar)}</td><td id="tar-bootstrap">${boot(b?.tar)}</td><td>${count(c.genuineCount - c.falseNonMatches)} of ${count(c.genuineCount)} genuine comparisons accepted</td></tr>
      </tbody>
    </table>
    <p class="note">Clopper-Pearson treats comparisons as independent; the bootstrap resamples people${this.pointDetail?.replicates ? ` (${this.pointDetail.replicates} replicates, seed ${this.pointDetail.seed})` : ''}, so it widens where the same people recur.${why ? ` No bootstrap or groups here: ${why}.` : ''}</p>
    <p><a class="button" id="export-link" href=${`#/export?run=${encodeURIComponent(this.runId)}&model=${encodeURIComponent(this.model)}&rule=${encodeURIComponent(this.rule ?? `fixed=${c.threshold.similarity}`)}`}>Export a deployment config at this threshold</a>
      <span class="note">${this.rule ? `rule: ${c.description}` : 'a hand-set threshold: the config records it as such, with the rates above'}</span></p>
    ${this.pointDetail ? html`<frw-group-rates .groups=${this.pointDetail.groups}></frw-group-rates>` : null}`;
  }

  private worst(op: OperatingPoint) {
    if (!op.worst) return html`<frw-status state="empty" .message=${op.worstUnavailable ?? 'no pairs to show'}></frw-status>`;
    const list = (pairs: typeof op.worst.falseMatches, kind: string, none: string) =>
      pairs.length === 0 ? html`<p class="status empty">${none}</p>` : html`<div class="pairs">${pairs.map((p) => html`<frw-face-pair .runId=${this.runId} .model=${this.model} .view=${this.faceView} .a=${p.a} .b=${p.b} .score=${p.score} .kind=${kind}></frw-face-pair>`)}</div>`;
    return html`<div class="worst">
      <fieldset class="inline face-view"><legend>Faces</legend>
        <label><input type="radio" name="face-view" .checked=${this.faceView === 'aligned'} @change=${() => (this.faceView = 'aligned')} /> aligned crops (what the model compared)</label>
        <label><input type="radio" name="face-view" .checked=${this.faceView === 'context'} @change=${() => (this.faceView = 'context')} /> whole photos, chosen face boxed</label>
      </fieldset>
      <h3>Worst false matches at this threshold (different people accepted, highest score first)</h3>
      ${list(op.worst.falseMatches, 'false match', 'No false matches at this threshold.')}
      <h3>Worst false non-matches (same person rejected, lowest score first)</h3>
      ${list(op.worst.falseNonMatches, 'false non-match', 'No false non-matches at this threshold.')}
    </div>`;
  }
}
customElements.define('frw-explorer-view', FrwExplorerView);

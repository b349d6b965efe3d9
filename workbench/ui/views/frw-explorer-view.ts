import { html, type PropertyValues } from 'lit';
import type { TopLevelSpec } from 'vega-lite';
import { distributionSpec, detSpec, rocSpec, tailSpec } from '../../../reports/charts.js';
import { tableThreshold } from '../../../experiments/metrics/rate-table.js';
import { api, type OperatingDetailView, type RateTableView, type RunDetail, type RunListing } from '../lib/api.js';
import { count } from '../../../reports/format.js';
import { finiteNumbers, scoreRange } from '../lib/format.js';
import { RunView } from '../lib/run-view.js';
import { navigate } from '../lib/navigate.js';
import { verificationRules, type RuleOption } from '../lib/rules.js';
import { chartSignals, pointOfServer, pointOfTable, type ShownPoint } from '../lib/shown-point.js';
import type { ThresholdChange } from '../components/frw-threshold-slider.js';
import type { WorstAt } from '../components/frw-worst-pairs.js';

/** Models whose scores are cosine similarities: a fused score is in impostor standard deviations, another scale. */
const cosineModels = (d: RunDetail) => Object.entries(d.metrics?.models ?? {}).filter(([, m]) => !m.fusion).map(([id]) => id);

/** A request to the server: a rule or a threshold, tagged with the user action it answers (older answers are dropped). */
interface Ask {
  at: { threshold: number } | { rule: string };
  seq: number;
  /** The numbers are on screen already (looked up in the rate table): only the worst pairs are wanted. */
  worstOnly: boolean;
}

/** The charts of one run and model, built once: the threshold and the operating point move through their params. */
interface ExplorerSpecs {
  key: string;
  distribution: TopLevelSpec;
  tail: TopLevelSpec;
  roc: TopLevelSpec;
  det: TopLevelSpec;
  /** Whether no DET point is finite (the classes do not overlap): said beside the empty chart. */
  detEmpty: boolean;
  presets: RuleOption[];
}

/** How long a dragged threshold must rest before the server lists its worst pairs (the rates need no wait). */
const SETTLE_MS = 150;

/**
 * The threshold explorer: genuine and impostor distributions with a draggable threshold, the rates there with
 * their intervals, ROC and DET with the operating point, rule presets, and the worst errors as face pairs.
 * A drag looks the rates up in the model's rate table (fetched once) and moves the charts through their params, so
 * it redraws at screen speed; the server is asked for rules, typed thresholds off the table's grid, and, once the
 * drag rests, the worst pairs and the bootstrap.
 */
export class FrwExplorerView extends RunView {
  static override properties = { model: { type: String }, threshold: { state: true }, point: { state: true }, rule: { state: true }, opError: { state: true }, worst: { state: true }, pointDetail: { state: true }, rates: { state: true } };
  declare model: string;
  declare threshold: number | null;
  /** The numbers on screen, at `threshold`. */
  declare point: ShownPoint | null;
  /** The rule behind the numbers shown (null for a hand-set threshold): set only once the server has answered for it. */
  declare rule: string | null;
  declare opError: string | null;
  declare worst: WorstAt | null;
  /** Identity-bootstrap intervals and groups at the shown point; null until the server answers for it. */
  declare pointDetail: OperatingDetailView | null;
  /** The shown model's rate table; null until it arrives (a drag asks the server meanwhile). */
  declare rates: RateTableView | null;
  private latest: Ask | null = null;
  private detailTimer: ReturnType<typeof setTimeout> | null = null;
  private settleTimer: ReturnType<typeof setTimeout> | null = null;
  /** What the user asked for last (a rule or a threshold), answered or not: what a model switch asks for again. */
  private wanted: { threshold: number } | { rule: string } = { rule: 'eer' };
  /** Counts user actions: an answer for an older one is not shown. */
  private seq = 0;
  private inFlight = false;
  private specs: ExplorerSpecs | null = null;
  /** The newest threshold of a drag not yet applied (see onThreshold). */
  private pendingMove: ThresholdChange | null = null;

  constructor() {
    super();
    this.model = '';
    this.threshold = null;
    this.point = null;
    this.rule = 'eer';
    this.opError = null;
    this.worst = null;
    this.pointDetail = null;
    this.rates = null;
  }

  protected override offered(all: RunListing[]): RunListing[] {
    return all.filter((r) => r.kind === 'eval');
  }

  protected override async prepare(detail: RunDetail): Promise<void> {
    if (!detail.metrics || !detail.curves?.models) throw new Error(`run ${detail.id} has no evaluation results to explore`);
    const models = cosineModels(detail);
    if (models.length === 0) throw new Error(`run ${detail.id} holds only fused scores, which are not cosine similarities; open its report instead`);
    if (!models.includes(this.model)) this.model = models[0];
    this.point = null;
    this.loadTable(detail.id, this.model);
    this.applyRule('eer');
  }

  /** The model's rate table, in the background: until it comes (or if it fails) a drag asks the server, as before. */
  private loadTable(runId: string, model: string): void {
    this.rates = null;
    api.rateTable(runId, model).then(
      (t) => {
        if (runId === this.runId && model === this.model) this.rates = t;
      },
      () => undefined,
    );
  }

  private applyRule(rule: string): void {
    // A drag step not yet applied came before this click: it must not overtake the rule.
    this.pendingMove = null;
    this.wanted = { rule };
    this.request({ at: { rule }, seq: ++this.seq, worstOnly: false });
  }

  /**
   * A drag fires more input events than the screen shows frames (a mouse reports at 125 Hz or more): the newest one
   * is kept and applied once per animation frame, right before the paint, so no frame's work is thrown away.
   */
  private onThreshold(e: CustomEvent<ThresholdChange>): void {
    const first = this.pendingMove === null;
    this.pendingMove = e.detail;
    if (first) requestAnimationFrame(() => this.moveTo());
  }

  private moveTo(): void {
    const move = this.pendingMove;
    this.pendingMove = null;
    if (!move) return;
    const seq = ++this.seq;
    const local = this.rates ? pointOfTable(this.rates, move.threshold, move.source === 'range') : null;
    const t = local ? local.threshold.similarity : move.threshold;
    this.threshold = t;
    this.wanted = { threshold: t };
    if (!local) {
      this.request({ at: { threshold: t }, seq, worstOnly: false });
      return;
    }
    // Every number at once from the table; the server only lists the worst pairs once the drag rests.
    this.point = local;
    this.rule = null;
    this.opError = null;
    this.pointDetail = null;
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => this.request({ at: { threshold: t }, seq, worstOnly: true }), SETTLE_MS);
    this.askDetail(this.model, { threshold: t });
  }

  /** One request at a time; while one is out only the newest waits (a drag without a table sends dozens). */
  private request(ask: Ask): void {
    this.latest = ask;
    if (!this.inFlight) void this.pump();
  }

  private async pump(): Promise<void> {
    this.inFlight = true;
    while (this.latest) {
      const { at, seq, worstOnly } = this.latest;
      this.latest = null;
      const model = this.model;
      try {
        const op = await api.operatingPoint(this.runId, model, at);
        // An answer for a model no longer shown, or overtaken by a newer action, is dropped.
        if (model !== this.model || seq !== this.seq || this.latest) continue;
        this.worst = { threshold: op.choice.threshold.similarity, worst: op.worst, unavailable: op.worstUnavailable };
        if (worstOnly) continue;
        // The numbers, the highlighted rule, the threshold line and the export link change together.
        this.point = pointOfServer(op);
        this.opError = null;
        this.rule = 'rule' in at ? at.rule : null;
        this.threshold = op.choice.threshold.similarity;
        this.askDetail(model, at);
      } catch (e) {
        if (model === this.model && seq === this.seq) this.opError = (e as Error).message;
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
    this.pendingMove = null;
    this.model = model;
    this.point = null;
    this.worst = null;
    this.pointDetail = null;
    this.opError = null;
    navigate('explorer', { run: this.runId, model });
    this.loadTable(this.runId, model);
    const seq = ++this.seq;
    this.request({ at: this.wanted, seq, worstOnly: false });
  }

  /** The four charts, built again only for another run or model (the threshold they start at is then the current one). */
  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const d = this.detail;
    const curves = d?.curves?.models?.[this.model];
    if (!d || !curves) return;
    const key = `${d.id}\0${this.model}`;
    if (this.specs?.key === key) return;
    const t = this.threshold ?? d.metrics!.models[this.model].eer.threshold;
    const h = curves.histograms;
    const moving = (x: number | null, y: number | null) => ({ model: this.model, label: 'operating point', x, y });
    const det = { x: finiteNumbers(curves.chart.probitFmr), y: finiteNumbers(curves.chart.probitFnmr) };
    this.specs = {
      key,
      distribution: distributionSpec({ genuine: h.genuine, impostor: h.impostor, threshold: t, axis: 'similarity', title: `${this.model}: genuine vs impostor (dashed: threshold)` }),
      tail: tailSpec({ genuine: h.genuine, impostor: h.impostor, threshold: t, title: `${this.model}: the impostor tail near the threshold (log scale)` }),
      roc: rocSpec([{ model: this.model, x: curves.chart.fmr, y: curves.chart.tar }], [], moving(null, null)),
      det: detSpec([{ model: this.model, ...det }], [], moving(null, null)),
      detEmpty: det.x.every((x, i) => !Number.isFinite(x) || !Number.isFinite(det.y[i])),
      presets: verificationRules(d.metrics!.models[this.model]),
    };
  }

  override render() {
    if (this.error) return html`<frw-status state="error" .message=${this.error}></frw-status>`;
    if (this.runs && this.runs.length === 0) return html`<frw-status state="empty" message="No evaluation runs yet. Start the demo on the Experiments page; its results open here."></frw-status>`;
    if (!this.detail) return html`<frw-status state="loading" message="Loading the run…"></frw-status>`;
    const d = this.detail;
    const curves = d.curves!.models![this.model];
    const m = d.metrics!.models[this.model];
    const table = this.rates?.table;
    // On the rate table's grid when it has come: every slider position is one of its thresholds.
    const range = table ? { min: tableThreshold(table, 0), max: tableThreshold(table, table.genuineBelow.length - 1), step: 1 / table.resolution } : { ...scoreRange([curves.histograms.genuine, curves.histograms.impostor]), step: 0.001 };
    const t = this.threshold ?? m.eer.threshold;
    const p = this.point;
    const specs = this.specs!;
    const signals = chartSignals(t, p);
    const presets = specs.presets;
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
      <frw-chart renderer="canvas" label="genuine and impostor score distributions with the threshold" .spec=${specs.distribution} .signals=${signals}></frw-chart>
      <frw-threshold-slider .value=${t} .min=${range.min} .max=${range.max} .step=${range.step} @threshold-change=${this.onThreshold}></frw-threshold-slider>
      ${this.opError ? html`<frw-status state="error" .message=${this.opError}></frw-status>` : null}
      ${p ? html`<frw-operating-rates .runId=${this.runId} .model=${this.model} .point=${p} .rule=${this.rule} .detail=${this.pointDetail}></frw-operating-rates>` : html`<frw-status state="loading" message="Computing the rates…"></frw-status>`}
      <div class="chart-row">
        <frw-chart renderer="canvas" label="impostor tail near the threshold, log scale" .spec=${specs.tail} .signals=${signals}></frw-chart>
        <frw-chart renderer="canvas" label="ROC with the operating point" .spec=${specs.roc} .signals=${signals}></frw-chart>
        <frw-chart renderer="canvas" label="DET with the operating point" .spec=${specs.det} .signals=${signals}></frw-chart>
      </div>
      ${specs.detEmpty ? html`<p class="note">The DET curve is empty: at every threshold FMR or FNMR is 0 or 1 (the classes do not overlap on these comparisons), and a probit axis cannot place 0 or 1.</p>` : null}
      ${p ? html`<frw-worst-pairs .runId=${this.runId} .model=${this.model} .at=${this.worst} .current=${t}></frw-worst-pairs>` : null}
    </section>`;
  }
}
customElements.define('frw-explorer-view', FrwExplorerView);

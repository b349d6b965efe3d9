import { html } from 'lit';
import { api, type DeployConfig, type RunDetail, type RunListing } from '../lib/api.js';
import { intervalText, sci } from '../../../reports/format.js';
import { RunView } from '../lib/run-view.js';
import { navigate } from '../lib/navigate.js';
import { fixedRule, fixedThresholdOf, identificationRules, refusalOf, verificationRules, type RuleOption } from '../lib/rules.js';

/** The rules a run offers for a model (and mode), each with why it is unavailable; a hand-set threshold when asked for. */
function rulesOf(d: RunDetail, model: string, mode: string, requested = ''): RuleOption[] {
  if (d.identification) return identificationRules(d.identification.results.find((x) => x.model === model && x.mode === mode) ?? d.identification.results.find((x) => x.model === model));
  const m = d.metrics?.models[model];
  const t = fixedThresholdOf(requested);
  const fixed = t === null ? [] : [fixedRule(t)];
  return [...fixed, ...verificationRules(m, (m?.tarAtFmr ?? []).map((t) => t.targetFmr))];
}

/** Preview and download a deployment config pinned to a run's model and rule, and push it to a running engine. */
export class FrwExportView extends RunView {
  static override properties = { model: { type: String }, rule: { type: String }, mode: { state: true }, config: { state: true }, push: { state: true } };
  declare model: string;
  declare rule: string;
  declare mode: string;
  declare config: DeployConfig | null;
  declare push: { state: 'idle' | 'sending' | 'done' | 'error'; message: string };
  private engineUrl = 'http://127.0.0.1:8731';
  private apiKey = '';

  constructor() {
    super();
    this.model = '';
    this.rule = '';
    this.mode = 'mean';
    this.config = null;
    this.push = { state: 'idle', message: '' };
  }

  protected override offered(all: RunListing[]): RunListing[] {
    return all;
  }

  protected override async prepare(d: RunDetail): Promise<void> {
    this.config = null;
    const models = d.identification ? d.identification.models.map((m) => m.id) : Object.keys(d.metrics?.models ?? {});
    if (!models.includes(this.model)) this.model = models[0] ?? '';
    this.mode = d.identification ? (d.identification.results.find((r) => r.model === this.model)?.mode ?? 'mean') : 'mean';
    // A rule asked for (the explorer's link) is kept even when this run cannot export it: the view says why and
    // offers nothing in its place. Only with no rule asked for is the first available one chosen.
    if (!this.rule) this.rule = rulesOf(d, this.model, this.mode).find((r) => r.unavailable === null)?.rule ?? '';
  }

  /** Another model keeps the rule; an identification run's templates follow the model's own results. */
  private chooseModel(model: string): void {
    this.model = model;
    this.config = null;
    const modes = this.detail?.identification?.results.filter((r) => r.model === model).map((r) => r.mode) ?? [];
    if (modes.length && !modes.includes(this.mode as (typeof modes)[number])) this.mode = modes[0];
  }

  private async preview(): Promise<void> {
    this.error = null;
    this.config = null;
    this.push = { state: 'idle', message: '' };
    try {
      this.config = (await api.exportConfig(this.detail!.id, { model: this.model, rule: this.rule, mode: this.mode })).config;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private download(): void {
    const c = this.config!;
    const url = URL.createObjectURL(new Blob([JSON.stringify(c, null, 2) + '\n'], { type: 'application/json' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: `frw-config-${c.model.id}-${c.rule.kind}${c.rule.target ?? c.rule.threshold ?? ''}.json` });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  private async pushToEngine(e: Event): Promise<void> {
    e.preventDefault();
    this.push = { state: 'sending', message: `Sending to ${this.engineUrl}…` };
    try {
      const r = await api.pushConfig({ url: this.engineUrl, apiKey: this.apiKey, config: this.config! });
      this.push = { state: 'done', message: `The engine at ${r.engine} now decides at similarity ${r.threshold.similarity.toFixed(4)}.` };
    } catch (err) {
      this.push = { state: 'error', message: (err as Error).message };
    }
  }

  override render() {
    if (this.runs && this.runs.length === 0) return html`<frw-status state="empty" message="No runs to export from yet: run an evaluation or an identification first."></frw-status>`;
    if (!this.detail) return this.error ? html`<frw-status state="error" .message=${this.error}></frw-status>` : html`<frw-status state="loading" message="Loading the run…"></frw-status>`;
    const d = this.detail;
    const models = d.identification ? d.identification.models.map((m) => m.id) : Object.keys(d.metrics?.models ?? {});
    const modes = d.identification ? [...new Set(d.identification.results.filter((r) => r.model === this.model).map((r) => r.mode))] : ['mean', 'raw', 'median', 'quality'];
    const rules = rulesOf(d, this.model, this.mode, this.rule);
    const refusal = refusalOf(this.rule, rules);
    const c = this.config;
    return html`<section class="panel export">
      <form class="grid-form" @submit=${(e: Event) => (e.preventDefault(), this.preview())}>
        <label>Run <select id="export-run" @change=${(e: Event) => navigate('export', { run: (e.target as HTMLSelectElement).value })}>
          ${this.runs!.map((r) => html`<option value=${r.id} ?selected=${r.id === d.id}>${r.id}</option>`)}</select></label>
        <label>Model <select id="export-model" @change=${(e: Event) => this.chooseModel((e.target as HTMLSelectElement).value)}>
          ${models.map((m) => html`<option ?selected=${m === this.model}>${m}</option>`)}</select></label>
        <label>Rule <select id="export-rule" @change=${(e: Event) => ((this.rule = (e.target as HTMLSelectElement).value), (this.config = null))}>
          ${rules.some((r) => r.rule === this.rule) ? null : html`<option value=${this.rule} selected disabled>${this.rule || 'choose a rule'}</option>`}
          ${rules.map((r) => html`<option value=${r.rule} ?selected=${r.rule === this.rule} ?disabled=${r.unavailable !== null}>${r.label}${r.unavailable ? ' (unavailable)' : ''}</option>`)}</select></label>
        <label>Gallery templates <select id="export-mode" @change=${(e: Event) => ((this.mode = (e.target as HTMLSelectElement).value), (this.config = null))}>
          ${modes.map((m) => html`<option ?selected=${m === this.mode}>${m}</option>`)}</select></label>
        <button class="primary" id="preview-config" type="submit" ?disabled=${!this.rule || refusal !== null}>Preview config</button>
      </form>
      ${refusal ? html`<p class="status error" id="rule-refused" role="alert">Cannot export: ${refusal}. Choose an available rule; nothing was substituted.</p>` : null}
      ${this.error ? html`<frw-status state="error" .message=${this.error}></frw-status>` : null}
      ${c ? html`<div class="config-preview">
          <dl>
            <dt>Model</dt><dd>${c.model.id} <small>sha256 ${c.model.sha256.slice(0, 16)}…</small></dd>
            <dt>Detector</dt><dd>${c.detector ? html`${c.detector.id} <small>sha256 ${c.detector.sha256.slice(0, 16)}…</small>` : 'none (pre-aligned)'}</dd>
            <dt>Threshold</dt><dd id="config-threshold">similarity ≥ ${c.threshold.similarity.toFixed(4)} (cosine distance ≤ ${c.threshold.cosineDistance.toFixed(4)}, L2 ≤ ${c.threshold.l2Distance.toFixed(4)})</dd>
            <dt>Rule</dt><dd>${c.rule.description}</dd>
            <dt>Expected</dt><dd>${c.expected.kind === 'verification'
              ? html`FMR ${intervalText(c.expected.fmr, sci)} (estimate ${sci(c.expected.fmr.estimate)}); FNMR ${intervalText(c.expected.fnmr)} on ${c.expected.comparisons.genuine} genuine / ${c.expected.comparisons.impostor} impostor comparisons`
              : html`FPIR ${intervalText(c.expected.fpir, sci)}; FNIR ${intervalText(c.expected.fnir)}`}</dd>
            <dt>Measured on</dt><dd>${c.source.dataset} (${c.source.runKind} run)</dd>
            <dt>Licence</dt><dd>${c.model.licence}</dd>
          </dl>
          <button class="primary" id="download-config" @click=${this.download}>Download config JSON</button>
          <details><summary>Full config</summary><pre id="config-json">${JSON.stringify(c, null, 2)}</pre></details>
          <frw-decision-report .run=${d.id} .model=${this.model} .rule=${this.rule} .mode=${this.mode} .kind=${c.expected.kind} .maxFmr=${c.rule.target !== undefined ? String(c.rule.target) : ''}></frw-decision-report>
          <form class="grid-form push" @submit=${this.pushToEngine}>
            <h3>Push to a running engine</h3>
            <label>Engine URL <input type="url" .value=${this.engineUrl} @input=${(e: Event) => (this.engineUrl = (e.target as HTMLInputElement).value)} /></label>
            <label>API key <input type="password" autocomplete="off" @input=${(e: Event) => (this.apiKey = (e.target as HTMLInputElement).value)} /></label>
            <button class="secondary" type="submit" ?disabled=${this.push.state === 'sending'}>Push</button>
            ${this.push.state === 'idle' ? null : html`<p class=${this.push.state === 'error' ? 'status error' : 'status'} role=${this.push.state === 'error' ? 'alert' : 'status'}>${this.push.message}</p>`}
          </form>
        </div>` : null}
    </section>`;
  }
}
customElements.define('frw-export-view', FrwExportView);

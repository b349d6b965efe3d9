import { html } from 'lit';
import { api, type DeployConfig, type RunDetail, type RunListing } from '../lib/api.js';
import { intervalText, sci } from '../../../reports/format.js';
import { RunView } from '../lib/run-view.js';
import { navigate } from '../lib/navigate.js';

/** The rules a run can export, as the server's rule names (usecases/export-config.ts parseRule) with their labels. */
function rulesOf(d: RunDetail, model: string, requested = ''): Array<{ rule: string; label: string }> {
  if (d.identification) {
    const r = d.identification.results.find((x) => x.model === model);
    return (r?.fnirAtFpir ?? []).filter((p) => p.measurable).map((p) => ({ rule: `fpir=${p.targetFpir}`, label: `FPIR ≤ ${sci(p.targetFpir)}` }));
  }
  const m = d.metrics?.models[model];
  const fmr = (m?.tarAtFmr ?? []).filter((t) => t.measurable).map((t) => ({ rule: `fmr=${t.targetFmr}`, label: `FMR ≤ ${sci(t.targetFmr)}` }));
  // The budget rule, for the targets this run has enough impostor comparisons to back at all.
  const bound = (m?.tarAtFmr ?? []).filter((t) => m && t.impostorsToBack !== undefined && m.counts.impostor >= t.impostorsToBack).map((t) => ({ rule: `fmr-bound=${t.targetFmr}`, label: `FMR upper bound ≤ ${sci(t.targetFmr)} (budget rule)` }));
  // A threshold set by hand in the explorer arrives as fixed=<t>.
  const fixed = /^fixed=/.test(requested) ? [{ rule: requested, label: `threshold ${Number(requested.slice(6)).toFixed(4)} (set by hand)` }] : [];
  return [...fixed, ...fmr, ...bound, { rule: 'eer', label: 'EER' }, { rule: 'best-accuracy', label: 'best accuracy' }, { rule: 'youden', label: "Youden's J" }];
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
    const rules = rulesOf(d, this.model, this.rule);
    if (!rules.some((r) => r.rule === this.rule)) this.rule = rules[0]?.rule ?? '';
    this.mode = d.identification ? (d.identification.results.find((r) => r.model === this.model)?.mode ?? 'mean') : 'mean';
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
    const c = this.config;
    return html`<section class="panel export">
      <form class="grid-form" @submit=${(e: Event) => (e.preventDefault(), this.preview())}>
        <label>Run <select id="export-run" @change=${(e: Event) => navigate('export', { run: (e.target as HTMLSelectElement).value })}>
          ${this.runs!.map((r) => html`<option value=${r.id} ?selected=${r.id === d.id}>${r.id}</option>`)}</select></label>
        <label>Model <select id="export-model" @change=${(e: Event) => ((this.model = (e.target as HTMLSelectElement).value), (this.rule = rulesOf(d, this.model)[0]?.rule ?? ''))}>
          ${models.map((m) => html`<option ?selected=${m === this.model}>${m}</option>`)}</select></label>
        <label>Rule <select id="export-rule" @change=${(e: Event) => (this.rule = (e.target as HTMLSelectElement).value)}>
          ${rulesOf(d, this.model, this.rule).map((r) => html`<option value=${r.rule} ?selected=${r.rule === this.rule}>${r.label}</option>`)}</select></label>
        <label>Gallery templates <select id="export-mode" @change=${(e: Event) => (this.mode = (e.target as HTMLSelectElement).value)}>
          ${modes.map((m) => html`<option ?selected=${m === this.mode}>${m}</option>`)}</select></label>
        <button class="primary" id="preview-config" type="submit" ?disabled=${!this.rule}>Preview config</button>
      </form>
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

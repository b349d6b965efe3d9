import { html } from 'lit';
import { api, ApiError, type DatasetListing, type ModelListing, type RunListing } from '../lib/api.js';
import { when } from '../lib/format.js';
import { LightElement } from '../lib/light-element.js';
import { navigate } from '../lib/navigate.js';
import { DEMO_RUN as DEMO } from '../../shared/demo-run.js';

const PROTOCOLS = ['auto', 'lfw-10fold', 'pairs', 'all-pairs'];

interface Form {
  kind: 'eval' | 'identify';
  dataset: string;
  models: string[];
  protocol: string;
  flip: boolean;
  seed: number;
  impostorSample: string;
  bootstrap: number;
  enrol: number;
}

/** Configure and start evaluations and identifications, follow them live, cancel them, and see past runs. */
export class FrwExperimentsView extends LightElement {
  static override properties = { preselect: { type: String }, datasets: { state: true }, models: { state: true }, runs: { state: true }, form: { state: true }, job: { state: true }, error: { state: true }, loadError: { state: true } };
  /** A dataset to preselect (the Datasets view links here with it). */
  declare preselect: string;
  declare datasets: DatasetListing[] | null;
  declare models: ModelListing[] | null;
  declare runs: RunListing[] | null;
  declare form: Form;
  declare job: { id: string; runId: string; kind: 'eval' | 'identify' } | null;
  declare error: string | null;
  declare loadError: string | null;

  constructor() {
    super();
    this.preselect = '';
    this.datasets = null;
    this.models = null;
    this.runs = null;
    this.job = null;
    this.error = null;
    this.loadError = null;
    this.form = { kind: 'eval', dataset: DEMO.dataset, models: [...DEMO.models], protocol: 'auto', flip: false, seed: 1, impostorSample: '', bootstrap: 200, enrol: 1 };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [d, m, r, j] = await Promise.all([api.datasets(), api.models(), api.runs(), api.jobs()]);
      this.datasets = d.datasets;
      if (this.preselect && d.datasets.some((x) => x.name === this.preselect)) this.form = { ...this.form, dataset: this.preselect, protocol: 'auto' };
      this.models = m.models.filter((x) => x.task === 'embedding');
      this.runs = r.runs;
      const running = j.jobs.find((x) => x.status === 'running');
      if (running && !this.job) this.job = { id: running.id, runId: String(running.params.runId ?? ''), kind: running.kind as 'eval' | 'identify' };
    } catch (e) {
      this.loadError = (e as Error).message;
    }
  }

  private async start(body: Form): Promise<void> {
    this.error = null;
    try {
      const common = { dataset: body.dataset, models: body.models, flip: body.flip, seed: body.seed, bootstrap: body.bootstrap };
      const r =
        body.kind === 'eval'
          ? await api.startEval({ ...common, protocol: body.protocol === 'auto' ? undefined : body.protocol, impostorSample: body.impostorSample === '' ? undefined : Number(body.impostorSample) })
          : await api.startIdentify({ ...common, enrol: body.enrol, modes: ['raw', 'mean'] });
      this.job = { ...r.job, kind: body.kind };
    } catch (e) {
      this.error = e instanceof ApiError ? e.message : String(e);
    }
  }

  private ended(e: CustomEvent<{ status: string; runId?: string }>): void {
    const job = this.job;
    if (e.detail.status === 'done' && job) {
      navigate(job.kind === 'eval' ? 'explorer' : 'identification', { run: job.runId });
      return;
    }
    void this.load();
  }

  private set<K extends keyof Form>(k: K, v: Form[K]): void {
    this.form = { ...this.form, [k]: v };
  }

  override render() {
    if (this.loadError) return html`<frw-status state="error" .message=${this.loadError}></frw-status>`;
    if (!this.datasets || !this.models || !this.runs) return html`<frw-status state="loading" message="Loading datasets, models and runs…"></frw-status>`;
    const f = this.form;
    const busy = this.job !== null;
    return html`<section class="panel">
        <h2>Start here</h2>
        <p>Evaluate the default model on <code>lfw-mini</code> (191 LFW images, 60 genuine + 60 impostor pairs). It takes well under a minute and opens the threshold explorer.</p>
        <button class="primary" id="demo" ?disabled=${busy} @click=${() => this.start({ ...f, kind: 'eval', dataset: DEMO.dataset, models: [...DEMO.models], protocol: 'auto' })}>Run the demo evaluation</button>
      </section>
      ${this.job
        ? html`<section class="panel"><h2>Running: ${this.job.kind === 'eval' ? 'evaluation' : 'identification'} <code>${this.job.runId}</code></h2>
            <frw-job-progress .jobId=${this.job.id} @job-ended=${this.ended}></frw-job-progress>
            <button class="secondary" @click=${() => (this.job = null)}>Close</button></section>`
        : null}
      <section class="panel">
        <h2>New run</h2>
        <form class="grid-form" @submit=${(e: Event) => (e.preventDefault(), this.start(f))}>
          <fieldset class="inline"><legend>Kind</legend>
            <label><input type="radio" name="kind" .checked=${f.kind === 'eval'} @change=${() => this.set('kind', 'eval')} /> verification (1:1)</label>
            <label><input type="radio" name="kind" .checked=${f.kind === 'identify'} @change=${() => this.set('kind', 'identify')} /> open-set identification, raw vs mean</label>
          </fieldset>
          <label>Dataset <select id="dataset" @change=${(e: Event) => this.set('dataset', (e.target as HTMLSelectElement).value)}>
            ${this.datasets.map((d) => html`<option value=${d.name} ?selected=${d.name === f.dataset} ?disabled=${d.kind === null}>${d.name}${d.kind ? ` (${d.kind})` : ' (unreadable)'}</option>`)}
          </select></label>
          <fieldset class="inline"><legend>Models</legend>
            ${this.models.map((m) => html`<label><input type="checkbox" name="model" value=${m.id} .checked=${f.models.includes(m.id)}
              @change=${(e: Event) => this.set('models', (e.target as HTMLInputElement).checked ? [...f.models, m.id] : f.models.filter((x) => x !== m.id))} /> ${m.id}</label>`)}
          </fieldset>
          ${f.kind === 'eval'
            ? html`<label>Protocol <select @change=${(e: Event) => this.set('protocol', (e.target as HTMLSelectElement).value)}>${PROTOCOLS.map((p) => html`<option ?selected=${p === f.protocol}>${p}</option>`)}</select></label>
                <label>Impostor sample (pairs; empty = all) <input type="number" min="1" .value=${f.impostorSample} @input=${(e: Event) => this.set('impostorSample', (e.target as HTMLInputElement).value)} /></label>`
            : html`<label>Enrolment images per identity <input type="number" min="1" .value=${String(f.enrol)} @input=${(e: Event) => this.set('enrol', Number((e.target as HTMLInputElement).value))} /></label>`}
          <label><input type="checkbox" .checked=${f.flip} @change=${(e: Event) => this.set('flip', (e.target as HTMLInputElement).checked)} /> flip test-time augmentation</label>
          <label>Seed <input type="number" min="0" .value=${String(f.seed)} @input=${(e: Event) => this.set('seed', Number((e.target as HTMLInputElement).value))} /></label>
          <label>Bootstrap replicates <input type="number" min="0" .value=${String(f.bootstrap)} @input=${(e: Event) => this.set('bootstrap', Number((e.target as HTMLInputElement).value))} /></label>
          <button class="primary" type="submit" ?disabled=${busy || f.models.length === 0}>Start</button>
        </form>
        ${this.error ? html`<frw-status state="error" .message=${this.error}></frw-status>` : null}
      </section>
      <section class="panel">
        <h2>History</h2>
        ${this.runs.length === 0
          ? html`<frw-status state="empty" message="No runs yet: start the demo above."></frw-status>`
          : html`<table class="runs"><thead><tr><th>run</th><th>kind</th><th>dataset</th><th>models</th><th>when</th><th></th></tr></thead><tbody>
              ${this.runs.map((r) => html`<tr>
                <td><code>${r.id}</code>${r.problem ? html`<br /><span class="error">unreadable: ${r.problem}</span>` : null}</td><td>${r.kind === 'eval' ? `verification (${r.protocol})` : 'identification'}</td><td>${r.dataset}</td><td>${r.models.join(', ')}</td><td>${when(r.createdAt)}</td>
                <td class="actions">${r.kind === 'eval'
                  ? html`<a href=${`#/explorer?run=${encodeURIComponent(r.id)}`}>explore</a> <a href=${`#/compare?run=${encodeURIComponent(r.id)}`}>compare</a>`
                  : html`<a href=${`#/identification?run=${encodeURIComponent(r.id)}`}>results</a>`}
                  <a href=${`#/export?run=${encodeURIComponent(r.id)}`}>export</a> <a href=${api.reportUrl(r.id, true)} download>report</a></td></tr>`)}
            </tbody></table>`}
      </section>`;
  }
}
customElements.define('frw-experiments-view', FrwExperimentsView);

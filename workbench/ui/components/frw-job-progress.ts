import { html } from 'lit';
import { api } from '../lib/api.js';
import { LightElement } from '../lib/light-element.js';

interface ModelProgress {
  done: number;
  total: number;
  rate: number;
  etaSeconds: number;
}

/**
 * Live progress of one job from its server-sent events: the stages so far, a bar per model while embedding,
 * and a cancel button. Fires `job-ended` with `detail: {status, result | message}` when the job ends.
 */
export class FrwJobProgress extends LightElement {
  static override properties = { jobId: { type: String }, stages: { state: true }, progress: { state: true }, ended: { state: true } };
  declare jobId: string;
  declare stages: string[];
  declare progress: Record<string, ModelProgress>;
  declare ended: { status: string; message?: string } | null;
  private source: EventSource | null = null;

  constructor() {
    super();
    this.jobId = '';
    this.stages = [];
    this.progress = {};
    this.ended = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.listen();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.source?.close();
  }

  private listen(): void {
    if (!this.jobId) return;
    const src = new EventSource(api.jobEventsUrl(this.jobId));
    this.source = src;
    src.addEventListener('stage', (e) => (this.stages = [...this.stages, JSON.parse((e as MessageEvent).data).message]));
    src.addEventListener('progress', (e) => {
      const d = JSON.parse((e as MessageEvent).data) as ModelProgress & { model: string };
      this.progress = { ...this.progress, [d.model]: d };
    });
    const end = (status: string) => (e: Event) => {
      src.close();
      const data = JSON.parse((e as MessageEvent).data ?? '{}');
      this.ended = { status, message: data.message };
      this.dispatchEvent(new CustomEvent('job-ended', { detail: { status, ...data }, bubbles: true }));
    };
    src.addEventListener('done', end('done'));
    src.addEventListener('failed', end('failed'));
    src.addEventListener('cancelled', end('cancelled'));
    // The stream closes after the last event; a drop before that is a lost server.
    src.onerror = () => {
      if (!this.ended && src.readyState === EventSource.CLOSED) this.ended = { status: 'failed', message: 'lost the connection to the workbench server' };
    };
  }

  private async cancel(): Promise<void> {
    await api.cancelJob(this.jobId).catch(() => undefined);
  }

  override render() {
    const running = !this.ended;
    return html`<section class="job" aria-live="polite">
      <ol class="stages">${this.stages.map((s) => html`<li>${s}</li>`)}</ol>
      ${Object.entries(this.progress).map(
        ([model, p]) => html`<div class="progress-row">
          <label>${model}: ${p.done} / ${p.total} images${p.rate > 0 ? html` · ${p.rate.toFixed(1)} images/s · about ${Math.ceil(p.etaSeconds)} s left` : ''}</label>
          <progress max=${p.total} .value=${p.done}></progress>
        </div>`,
      )}
      ${running ? html`<button class="secondary" @click=${this.cancel}>Cancel</button>` : null}
      ${this.ended?.status === 'failed' ? html`<p class="error" role="alert">The run failed: ${this.ended.message}</p>` : null}
      ${this.ended?.status === 'cancelled' ? html`<p class="status empty">Cancelled. Embeddings computed so far stay cached; the next run resumes from them.</p>` : null}
    </section>`;
  }
}
customElements.define('frw-job-progress', FrwJobProgress);

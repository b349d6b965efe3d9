import { html } from 'lit';
import { api } from '../lib/api.js';
import { elapsed } from '../lib/format.js';
import { LightElement } from '../lib/light-element.js';

interface ModelProgress {
  done: number;
  total: number;
  rate: number;
  etaSeconds: number;
}

interface Stage {
  message: string;
  /** Seconds into the job when the stage began (the server's clock). */
  at: number;
}

/**
 * Live progress of one job from its server-sent events: the stages so far with when each began, the time elapsed,
 * a bar per model while embedding, and a cancel button. Fires `job-ended` with `detail: {status, result | message}`
 * when the job ends.
 */
export class FrwJobProgress extends LightElement {
  static override properties = { jobId: { type: String }, stages: { state: true }, progress: { state: true }, ended: { state: true }, seconds: { state: true } };
  declare jobId: string;
  declare stages: Stage[];
  declare seconds: number;
  declare progress: Record<string, ModelProgress>;
  declare ended: { status: string; message?: string } | null;
  private source: EventSource | null = null;
  private tick: ReturnType<typeof setInterval> | null = null;
  /** Local time at which the job's clock read 0, from the latest event. */
  private zero = Date.now();

  constructor() {
    super();
    this.jobId = '';
    this.stages = [];
    this.progress = {};
    this.ended = null;
    this.seconds = 0;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.listen();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.source?.close();
    this.stopClock();
  }

  private listen(): void {
    if (!this.jobId) return;
    const src = new EventSource(api.jobEventsUrl(this.jobId));
    this.source = src;
    // Every event carries the job's elapsed seconds: the clock follows the server's, ticking locally between events.
    const clock = (d: { elapsedSeconds?: number }) => {
      if (typeof d.elapsedSeconds === 'number') this.zero = Date.now() - 1000 * d.elapsedSeconds;
      this.seconds = (Date.now() - this.zero) / 1000;
    };
    this.tick = setInterval(() => (this.seconds = (Date.now() - this.zero) / 1000), 1000);
    src.addEventListener('stage', (e) => {
      const d = JSON.parse((e as MessageEvent).data) as { message: string; elapsedSeconds: number };
      clock(d);
      this.stages = [...this.stages, { message: d.message, at: d.elapsedSeconds }];
    });
    src.addEventListener('progress', (e) => {
      const d = JSON.parse((e as MessageEvent).data) as ModelProgress & { model: string; elapsedSeconds: number };
      clock(d);
      this.progress = { ...this.progress, [d.model]: d };
    });
    const end = (status: string) => (e: Event) => {
      src.close();
      const data = JSON.parse((e as MessageEvent).data ?? '{}');
      clock(data);
      this.stopClock();
      this.ended = { status, message: data.message };
      this.dispatchEvent(new CustomEvent('job-ended', { detail: { status, ...data }, bubbles: true }));
    };
    src.addEventListener('done', end('done'));
    src.addEventListener('failed', end('failed'));
    src.addEventListener('cancelled', end('cancelled'));
    // The stream closes after the last event; a drop before that is a lost server.
    src.onerror = () => {
      if (!this.ended && src.readyState === EventSource.CLOSED) {
        this.ended = { status: 'failed', message: 'lost the connection to the workbench server' };
        this.stopClock();
      }
    };
  }

  private stopClock(): void {
    if (this.tick) clearInterval(this.tick);
    this.tick = null;
  }

  private async cancel(): Promise<void> {
    await api.cancelJob(this.jobId).catch(() => undefined);
  }

  override render() {
    const running = !this.ended;
    return html`<section class="job" aria-live="polite">
      <p class="status">${running ? 'Running' : 'Ran'} for <span class="elapsed">${elapsed(this.seconds)}</span></p>
      <ol class="stages">${this.stages.map((s) => html`<li>${s.message} <span class="hint">at ${elapsed(s.at)}</span></li>`)}</ol>
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

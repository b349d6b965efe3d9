import { html, type PropertyValues } from 'lit';
import embed, { type Result } from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';
import { LightElement } from '../lib/light-element.js';

/** A vega-lite chart from a spec built by reports/charts.ts; re-rendered when the spec object changes. */
export class FrwChart extends LightElement {
  static override properties = { spec: { attribute: false }, label: { type: String }, failed: { state: true } };
  declare spec: TopLevelSpec | null;
  /** Accessible name of the chart (the figure's aria-label). */
  declare label: string;
  declare failed: string | null;
  private view: Result | null = null;
  private seq = 0;

  constructor() {
    super();
    this.spec = null;
    this.label = 'chart';
    this.failed = null;
  }

  override render() {
    return html`<figure class="chart" role="img" aria-label=${this.label}>
      <div class="chart-canvas"></div>
      ${this.failed ? html`<p class="error">The chart could not be drawn: ${this.failed}</p>` : null}
    </figure>`;
  }

  protected override async updated(changed: PropertyValues<this>): Promise<void> {
    if (!changed.has('spec')) return;
    const target = this.querySelector<HTMLElement>('.chart-canvas');
    if (!target || !this.spec) return;
    const mine = ++this.seq;
    try {
      const view = await embed(target, this.spec, { actions: false, renderer: 'svg' });
      // A newer spec may have arrived while this one rendered: keep only the newest view.
      if (mine !== this.seq) {
        view.finalize();
        return;
      }
      this.view?.finalize();
      this.view = view;
      this.failed = null;
    } catch (e) {
      this.failed = (e as Error).message;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.view?.finalize();
    this.view = null;
  }
}
customElements.define('frw-chart', FrwChart);

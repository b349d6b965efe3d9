import { html, type PropertyValues } from 'lit';
import embed, { type Result } from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';
import { paramNames } from '../../../reports/charts.js';
import { LightElement } from '../lib/light-element.js';

/**
 * A vega-lite chart from a spec built by reports/charts.ts: embedded again only when the spec object changes. What
 * moves (the explorer's threshold and operating point) comes as `signals`, the values of the spec's params, set on
 * the running view: a drag redraws the chart instead of compiling and embedding a new one at every step.
 */
export class FrwChart extends LightElement {
  static override properties = { spec: { attribute: false }, signals: { attribute: false }, renderer: { type: String }, label: { type: String }, failed: { state: true } };
  declare spec: TopLevelSpec | null;
  /** Param values by name; names the spec does not declare are ignored (a chart without that param). */
  declare signals: Record<string, unknown> | null;
  /** SVG (default: every mark an element a test can read) or canvas (a redraw at every drag step costs no DOM work). */
  declare renderer: 'svg' | 'canvas';
  /** Accessible name of the chart (the figure's aria-label). */
  declare label: string;
  declare failed: string | null;
  private view: Result | null = null;
  private seq = 0;

  constructor() {
    super();
    this.spec = null;
    this.signals = null;
    this.renderer = 'svg';
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
    if (!changed.has('spec')) {
      if (changed.has('signals') && this.view) await this.applySignals(this.view);
      return;
    }
    const target = this.querySelector<HTMLElement>('.chart-canvas');
    if (!target || !this.spec) return;
    const mine = ++this.seq;
    try {
      const view = await embed(target, this.spec, { actions: false, renderer: this.renderer });
      // A newer spec may have arrived while this one rendered: keep only the newest view.
      if (mine !== this.seq) {
        view.finalize();
        return;
      }
      this.view?.finalize();
      this.view = view;
      this.failed = null;
      // Signals may have moved while the spec was embedded.
      await this.applySignals(view);
    } catch (e) {
      this.failed = (e as Error).message;
    }
  }

  private async applySignals(view: Result): Promise<void> {
    if (!this.signals || !this.spec) return;
    const declared = paramNames(this.spec);
    const applied = Object.fromEntries(Object.entries(this.signals).filter(([name]) => declared.includes(name)));
    for (const [name, value] of Object.entries(applied)) view.view.signal(name, value);
    try {
      await view.view.runAsync();
      // What the chart shows now, readable without the pixels of a canvas (tests and bench/explorer-fps.ts).
      this.querySelector('figure')?.setAttribute('data-drawn', JSON.stringify(applied));
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

import { html } from 'lit';
import { LightElement } from '../lib/light-element.js';

/**
 * The decision threshold (cosine similarity, accept iff s ≥ t): a range input, so it drags with the mouse and
 * moves with the arrow keys (fine steps) and Page Up/Down (coarse), plus a box to type an exact value.
 * Fires `threshold-change` with `detail.threshold` on every move.
 */
export class FrwThresholdSlider extends LightElement {
  static override properties = { value: { type: Number }, min: { type: Number }, max: { type: Number }, step: { type: Number } };
  declare value: number;
  declare min: number;
  declare max: number;
  declare step: number;

  constructor() {
    super();
    this.value = 0;
    this.min = -1;
    this.max = 1;
    this.step = 0.001;
  }

  override render() {
    return html`<div class="threshold-slider">
      <label for="threshold-range">Threshold (cosine similarity; accept iff s ≥ t)</label>
      <input id="threshold-range" type="range" min=${this.min} max=${this.max} step=${this.step} .value=${String(this.value)} @input=${this.onInput}
        aria-valuetext=${`threshold ${this.value.toFixed(4)}`} />
      <input class="threshold-number" type="number" aria-label="threshold value" min="-1" max="1" step=${this.step} .value=${this.value.toFixed(4)} @change=${this.onInput} />
    </div>`;
  }

  private onInput(e: Event): void {
    const v = Number((e.target as HTMLInputElement).value);
    if (!Number.isFinite(v)) return;
    this.value = v;
    this.dispatchEvent(new CustomEvent('threshold-change', { detail: { threshold: v }, bubbles: true }));
  }
}
customElements.define('frw-threshold-slider', FrwThresholdSlider);

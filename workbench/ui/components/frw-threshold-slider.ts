import { html } from 'lit';
import { LightElement } from '../lib/light-element.js';

/** Where a threshold came from: a slider position (on the grid) or a value typed in the box (any number). */
export type ThresholdSource = 'range' | 'typed';

/** The detail of `threshold-change`. */
export interface ThresholdChange {
  threshold: number;
  source: ThresholdSource;
}

/**
 * The decision threshold (cosine similarity, accept iff s ≥ t): a range input, so it drags with the mouse and
 * moves with the arrow keys (fine steps) and Page Up/Down (coarse), plus a box to type an exact value.
 * Fires `threshold-change` with `detail.threshold` on every move, and `detail.source`: 'range' for the slider, whose
 * positions are the explorer's rate-table thresholds (min + k·step), 'typed' for a value typed in the box.
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
      <input id="threshold-range" type="range" min=${this.min} max=${this.max} step=${this.step} .value=${String(this.value)} @input=${(e: Event) => this.onInput(e, 'range')}
        aria-valuetext=${`threshold ${this.value.toFixed(4)}`} />
      <input class="threshold-number" type="number" aria-label="threshold value" min="-1" max="1" step=${this.step} .value=${this.value.toFixed(4)} @change=${(e: Event) => this.onInput(e, 'typed')} />
    </div>`;
  }

  private onInput(e: Event, source: ThresholdSource): void {
    const v = Number((e.target as HTMLInputElement).value);
    if (!Number.isFinite(v)) return;
    this.value = v;
    this.dispatchEvent(new CustomEvent<ThresholdChange>('threshold-change', { detail: { threshold: v, source }, bubbles: true }));
  }
}
customElements.define('frw-threshold-slider', FrwThresholdSlider);

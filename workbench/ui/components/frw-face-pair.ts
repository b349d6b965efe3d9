import { html } from 'lit';
import { api } from '../lib/api.js';
import { LightElement } from '../lib/light-element.js';

/**
 * Two faces side by side with their score: one false match or false non-match of the explorer. By default the
 * aligned crops the model compared; `view="context"` shows the photos with the chosen face boxed.
 */
export class FrwFacePair extends LightElement {
  static override properties = { runId: { type: String }, model: { type: String }, a: { type: String }, b: { type: String }, score: { type: Number }, kind: { type: String }, view: { type: String } };
  declare runId: string;
  declare model: string;
  declare a: string;
  declare b: string;
  declare score: number;
  /** 'false match' or 'false non-match', for the caption and its colour. */
  declare kind: string;
  declare view: 'aligned' | 'context';

  constructor() {
    super();
    this.runId = '';
    this.model = '';
    this.a = '';
    this.b = '';
    this.score = Number.NaN;
    this.kind = '';
    this.view = 'aligned';
  }

  override render() {
    // Aligned crops are square; photos keep their own shape.
    const img = (p: string) =>
      this.view === 'aligned'
        ? html`<img src=${api.faceUrl(this.runId, this.model, p, 'aligned')} alt=${p} title=${p} width="112" height="112" loading="lazy" @error=${this.broken} />`
        : html`<img class="photo" src=${api.faceUrl(this.runId, this.model, p, 'context', 224)} alt=${p} title=${p} loading="lazy" @error=${this.broken} />`;
    return html`<figure class="face-pair ${this.kind.replace(/\s/g, '-')}">
      <div class="faces">${img(this.a)}${img(this.b)}</div>
      <figcaption>${this.kind}: similarity ${this.score.toFixed(4)}<br /><small>${this.a} ~ ${this.b}</small></figcaption>
    </figure>`;
  }

  private broken(e: Event): void {
    const el = e.target as HTMLImageElement;
    el.replaceWith(Object.assign(document.createElement('span'), { className: 'broken-image', textContent: `cannot show ${el.alt}` }));
  }
}
customElements.define('frw-face-pair', FrwFacePair);

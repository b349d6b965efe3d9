import { html } from 'lit';
import { api } from '../lib/api.js';
import { LightElement } from '../lib/light-element.js';

/** Two face images side by side with their score: one false match or false non-match of the explorer. */
export class FrwFacePair extends LightElement {
  static override properties = { datasetName: { type: String }, a: { type: String }, b: { type: String }, score: { type: Number }, kind: { type: String } };
  declare datasetName: string;
  declare a: string;
  declare b: string;
  declare score: number;
  /** 'false match' or 'false non-match', for the caption and its colour. */
  declare kind: string;

  constructor() {
    super();
    this.datasetName = '';
    this.a = '';
    this.b = '';
    this.score = Number.NaN;
    this.kind = '';
  }

  override render() {
    const img = (p: string) => html`<img src=${api.thumbnailUrl(this.datasetName, p)} alt=${p} title=${p} width="112" height="112" loading="lazy" @error=${this.broken} />`;
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

import { html, type PropertyValues } from 'lit';
import { LightElement } from '../lib/light-element.js';
import type { Recognition } from '../lib/api.js';

/** A photo or camera frame with the face box the engine found drawn on it, labelled with the answer. */
export class FrwFaceFrame extends LightElement {
  static override properties = { photo: { attribute: false }, box: { attribute: false }, label: { type: String }, known: { type: Boolean } };
  declare photo: Blob | null;
  declare box: Recognition['box'];
  declare label: string;
  declare known: boolean;

  constructor() {
    super();
    this.photo = null;
    this.box = null;
    this.label = '';
    this.known = false;
  }

  protected override async updated(changed: PropertyValues): Promise<void> {
    if (!changed.has('photo') && !changed.has('box') && !changed.has('label')) return;
    const canvas = this.querySelector('canvas');
    if (!canvas || !this.photo) return;
    const bitmap = await createImageBitmap(this.photo);
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const g = canvas.getContext('2d')!;
    g.drawImage(bitmap, 0, 0);
    if (this.box) {
      const { x1, y1, x2, y2 } = this.box;
      const colour = this.known ? '#1a7f37' : '#c62828';
      g.lineWidth = Math.max(2, bitmap.width / 160);
      g.strokeStyle = colour;
      g.strokeRect(x1, y1, x2 - x1, y2 - y1);
      const size = Math.max(12, Math.round(bitmap.width / 20));
      g.font = `${size}px sans-serif`;
      const w = g.measureText(this.label).width + 8;
      const top = Math.max(0, y1 - size - 6);
      g.fillStyle = colour;
      g.fillRect(x1, top, w, size + 6);
      g.fillStyle = '#fff';
      g.fillText(this.label, x1 + 4, top + size);
    }
    this.dataset.drawn = this.box ? 'box' : 'frame';
  }

  override render() {
    return this.photo ? html`<canvas class="frame" aria-label=${this.label}></canvas>` : '';
  }
}
customElements.define('frw-face-frame', FrwFaceFrame);

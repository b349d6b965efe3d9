import { html } from 'lit';
import { LightElement } from '../lib/light-element.js';

export type StatusState = 'loading' | 'empty' | 'error';

/** The one way every view says "loading", "nothing here yet" or "this failed" (with the server's own message). */
export class FrwStatus extends LightElement {
  static override properties = { state: { type: String }, message: { type: String } };
  declare state: StatusState;
  declare message: string;

  constructor() {
    super();
    this.state = 'loading';
    this.message = '';
  }

  override render() {
    if (this.state === 'loading') return html`<p class="status loading" role="status"><span class="spinner" aria-hidden="true"></span>${this.message || 'Loading…'}</p>`;
    if (this.state === 'error') return html`<p class="status error" role="alert">${this.message}</p>`;
    return html`<p class="status empty">${this.message}</p>`;
  }
}
customElements.define('frw-status', FrwStatus);

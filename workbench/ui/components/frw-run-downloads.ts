import { html } from 'lit';
import { api } from '../lib/api.js';
import { LightElement } from '../lib/light-element.js';

/** A run's reports to take away: the self-contained HTML report and the folder's JSON and CSV files. */
export class FrwRunDownloads extends LightElement {
  static override properties = { runId: { type: String }, files: { attribute: false }, hasReport: { type: Boolean } };
  declare runId: string;
  declare files: string[];
  declare hasReport: boolean;

  constructor() {
    super();
    this.runId = '';
    this.files = [];
    this.hasReport = false;
  }

  override render() {
    return html`<p class="downloads">Download:
      ${this.hasReport ? html`<a href=${api.reportUrl(this.runId, true)} download>report (HTML)</a>` : null}
      ${this.files.map((f) => html` · <a href=${api.fileUrl(this.runId, f)} download>${f}</a>`)}</p>`;
  }
}
customElements.define('frw-run-downloads', FrwRunDownloads);

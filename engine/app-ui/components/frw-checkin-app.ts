import { html } from 'lit';
import { LightElement } from '../lib/light-element.js';
import { UNAUTHORIZED_EVENT, api, apiKey } from '../lib/api.js';
import type { FrwCamera } from './frw-camera.js';
import type { FrwPeopleList } from './frw-people-list.js';
import type { FrwAttendanceTable } from './frw-attendance-table.js';

/** The check-in app: the API key once per browser session, then camera, check-in, enrolment, people, attendance. */
export class FrwCheckinApp extends LightElement {
  static override properties = { hasKey: { state: true }, keyError: { state: true }, camera: { state: true } };
  declare hasKey: boolean;
  declare keyError: string;
  declare camera: FrwCamera | null;
  private readonly onUnauthorized = () => {
    apiKey.clear();
    this.hasKey = false;
    this.keyError = 'The engine refused the API key: enter it again.';
  };

  constructor() {
    super();
    this.hasKey = apiKey.get() !== null;
    this.keyError = '';
    this.camera = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener(UNAUTHORIZED_EVENT, this.onUnauthorized);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener(UNAUTHORIZED_EVENT, this.onUnauthorized);
  }

  private async saveKey(e: Event): Promise<void> {
    e.preventDefault();
    const input = this.querySelector('#api-key') as HTMLInputElement;
    apiKey.set(input.value);
    try {
      await api.checkKey();
      this.keyError = '';
      this.hasKey = true;
    } catch (err) {
      apiKey.clear();
      this.keyError = (err as Error).message;
    }
  }

  protected override updated(): void {
    if (this.hasKey && !this.camera) this.camera = this.querySelector('frw-camera');
  }

  private refresh(): void {
    void this.querySelector<FrwAttendanceTable>('frw-attendance-table')?.refresh();
    void this.querySelector<FrwPeopleList>('frw-people-list')?.refresh();
  }

  override render() {
    if (!this.hasKey) {
      return html`<main class="key"><h1>Check-in</h1>
        <form id="key-form" @submit=${(e: Event) => void this.saveKey(e)}>
          <label>Engine API key <input id="api-key" type="password" required autocomplete="off" /></label>
          <button type="submit">Continue</button>
          <p class="hint">Kept for this browser session only (sessionStorage), sent as the X-API-Key header.</p>
        </form>
        ${this.keyError ? html`<p class="status error" role="alert">${this.keyError}</p>` : ''}
      </main>`;
    }
    return html`<main @checked-in=${() => this.refresh()} @people-changed=${() => this.refresh()} @camera-changed=${() => this.requestUpdate()}>
      <header><h1>Check-in</h1><button id="forget-key" @click=${() => { apiKey.clear(); this.camera?.stop(); this.camera = null; this.hasKey = false; }}>Forget key</button></header>
      <div class="columns">
        <div><frw-camera></frw-camera><frw-checkin-panel .camera=${this.camera} .cameraOn=${Boolean(this.camera?.on)}></frw-checkin-panel></div>
        <div><frw-enrol-panel .camera=${this.camera} .cameraOn=${Boolean(this.camera?.on)}></frw-enrol-panel><frw-people-list></frw-people-list></div>
      </div>
      <frw-attendance-table></frw-attendance-table>
    </main>`;
  }
}
customElements.define('frw-checkin-app', FrwCheckinApp);

import { html } from 'lit';
import { LightElement } from '../lib/light-element.js';
import { api, fmt, type CheckinResult } from '../lib/api.js';
import type { FrwCamera } from './frw-camera.js';

/**
 * Check in from an uploaded photo or the camera: the name or "unknown", the distance beside the deployed threshold,
 * the face box on the frame. Continuous mode checks in every N seconds; frames without a face are not logged, and
 * the engine's log (not this page) drops repeats of one person within the de-duplication window.
 */
export class FrwCheckinPanel extends LightElement {
  static override properties = { camera: { attribute: false }, cameraOn: { type: Boolean }, result: { state: true }, photo: { state: true }, error: { state: true }, busy: { state: true }, continuous: { state: true } };
  declare camera: FrwCamera | null;
  /** Whether the camera is running (given by the app: the camera element itself does not change). */
  declare cameraOn: boolean;
  declare result: CheckinResult | null;
  declare photo: Blob | null;
  declare error: string;
  declare busy: boolean;
  declare continuous: boolean;
  private timer: number | undefined;
  intervalS = 3;
  dedupeS = 60;

  constructor() {
    super();
    this.camera = null;
    this.cameraOn = false;
    this.result = null;
    this.photo = null;
    this.error = '';
    this.busy = false;
    this.continuous = false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearInterval(this.timer);
  }

  private async checkin(photo: Blob, continuous = false): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      const r = await api.checkin(photo, { dedupeS: this.dedupeS, logNoFace: !continuous });
      this.photo = photo;
      this.result = r;
      if (r.attendance) this.dispatchEvent(new CustomEvent('checked-in', { bubbles: true }));
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      this.busy = false;
    }
  }

  private async fromCamera(continuous = false): Promise<void> {
    const frame = await this.camera?.capture();
    if (!frame) {
      this.error = 'The camera is off: start it, or upload a photo.';
      return;
    }
    await this.checkin(frame, continuous);
  }

  private toggleContinuous(on: boolean): void {
    window.clearInterval(this.timer);
    this.continuous = on;
    if (on) this.timer = window.setInterval(() => void (this.busy ? undefined : this.fromCamera(true)), Math.max(1, this.intervalS) * 1000);
  }

  private answer() {
    const r = this.result;
    if (!r) return '';
    const who = r.failure ? `No face: ${r.failure.message}` : r.identity ?? 'unknown';
    return html`<div class="answer ${r.identity ? 'known' : 'unknown'}">
      <frw-face-frame .photo=${this.photo} .box=${r.box} .label=${r.identity ?? 'unknown'} ?known=${Boolean(r.identity)}></frw-face-frame>
      <p id="checkin-name" class="name">${who}</p>
      <dl>
        <dt>Distance (L2)</dt><dd id="checkin-distance">${fmt.num(r.distance)}</dd>
        <dt>Deployed threshold</dt><dd id="checkin-threshold">≤ ${fmt.num(r.threshold.l2Distance)} (similarity ≥ ${fmt.num(r.threshold.similarity)})</dd>
        <dt>Processing time</dt><dd>${fmt.ms(r.latencyMs)}</dd>
      </dl>
      ${r.duplicate ? html`<p class="duplicate">Already checked in at ${fmt.time(r.attendance!.at)}: not logged again (window ${this.dedupeS} s).</p>` : ''}
    </div>`;
  }

  override render() {
    return html`<section class="checkin">
      <h2>Check in</h2>
      <div class="row">
        <label>Photo <input id="checkin-file" type="file" accept="image/*" ?disabled=${this.busy} @change=${(e: Event) => {
          const input = e.target as HTMLInputElement;
          const file = input.files?.[0];
          input.value = '';
          if (file) void this.checkin(file);
        }} /></label>
        <button id="checkin-camera" ?disabled=${this.busy || !this.cameraOn} @click=${() => void this.fromCamera()}>Check in from camera</button>
      </div>
      <fieldset class="row continuous">
        <legend>Continuous mode</legend>
        <label><input id="continuous" type="checkbox" .checked=${this.continuous} ?disabled=${!this.cameraOn} @change=${(e: Event) => this.toggleContinuous((e.target as HTMLInputElement).checked)} /> check in every</label>
        <input id="interval" type="number" min="1" max="600" .value=${String(this.intervalS)} @change=${(e: Event) => { this.intervalS = Number((e.target as HTMLInputElement).value) || 3; if (this.continuous) this.toggleContinuous(true); }} /> s;
        <label>the same person once per <input id="dedupe" type="number" min="0" max="86400" .value=${String(this.dedupeS)} @change=${(e: Event) => (this.dedupeS = Math.max(0, Number((e.target as HTMLInputElement).value) || 0))} /> s</label>
      </fieldset>
      ${this.busy ? html`<p class="status loading" role="status">Recognising…</p>` : ''}
      ${this.error ? html`<p class="status error" role="alert">${this.error}</p>` : ''}
      ${this.answer()}
    </section>`;
  }
}
customElements.define('frw-checkin-panel', FrwCheckinPanel);

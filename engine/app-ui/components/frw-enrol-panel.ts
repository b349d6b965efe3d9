import { html } from 'lit';
import { LightElement } from '../lib/light-element.js';
import { ApiError, api, type PhotoVerdict } from '../lib/api.js';
import type { FrwCamera } from './frw-camera.js';

const VERDICT_TEXT: Record<PhotoVerdict['verdict'], string> = {
  face: 'face found',
  'several-faces': 'several faces',
  'no-face': 'no face',
  'not-usable': 'not usable',
};

/** Enrol a new person from several uploaded or captured photos, with the engine's verdict on each photo. */
export class FrwEnrolPanel extends LightElement {
  static override properties = { camera: { attribute: false }, cameraOn: { type: Boolean }, photos: { state: true }, verdicts: { state: true }, message: { state: true }, error: { state: true }, busy: { state: true } };
  declare camera: FrwCamera | null;
  /** Whether the camera is running (given by the app: the camera element itself does not change). */
  declare cameraOn: boolean;
  declare photos: Array<{ blob: Blob; url: string; label: string }>;
  declare verdicts: PhotoVerdict[];
  declare message: string;
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.camera = null;
    this.cameraOn = false;
    this.photos = [];
    this.verdicts = [];
    this.message = '';
    this.error = '';
    this.busy = false;
  }

  private add(blob: Blob, label: string): void {
    this.photos = [...this.photos, { blob, url: URL.createObjectURL(blob), label }];
    this.verdicts = [];
  }

  private clear(): void {
    this.photos.forEach((p) => URL.revokeObjectURL(p.url));
    this.photos = [];
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const name = (this.querySelector('#enrol-name') as HTMLInputElement).value.trim();
    this.error = '';
    this.message = '';
    if (!name) return void (this.error = 'Give the person a name.');
    if (this.photos.length === 0) return void (this.error = 'Add at least one photo (upload or capture).');
    this.busy = true;
    try {
      const r = await api.enrol(name, this.photos.map((p) => p.blob));
      this.verdicts = r.photos;
      this.message = `${r.identity.name} enrolled from ${r.enrolled} of ${this.photos.length} photos (${r.identity.vectors} in the gallery).`;
      this.dispatchEvent(new CustomEvent('people-changed', { bubbles: true }));
    } catch (err) {
      const photos = err instanceof ApiError ? (err.details?.photos as PhotoVerdict[] | undefined) : undefined;
      this.verdicts = photos ?? [];
      this.error = (err as Error).message;
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const verdictOf = (i: number) => this.verdicts.find((v) => v.image === i);
    return html`<section class="enrol">
      <h2>Enrol a new person</h2>
      <form id="enrol-form" @submit=${(e: Event) => void this.submit(e)}>
        <label>Name <input id="enrol-name" required maxlength="200" autocomplete="off" /></label>
        <label>Photos <input id="enrol-files" type="file" accept="image/*" multiple @change=${(e: Event) => {
          const input = e.target as HTMLInputElement;
          for (const f of input.files ?? []) this.add(f, f.name);
          input.value = '';
        }} /></label>
        <button type="button" id="enrol-capture" ?disabled=${!this.cameraOn} @click=${async () => {
          const frame = await this.camera?.capture();
          if (frame) this.add(frame, `camera frame ${this.photos.length + 1}`);
        }}>Add camera frame</button>
        <button type="button" id="enrol-clear" ?disabled=${this.photos.length === 0} @click=${() => this.clear()}>Clear photos</button>
        <button type="submit" id="enrol-submit" ?disabled=${this.busy}>Enrol</button>
      </form>
      <ul class="photos">
        ${this.photos.map((p, i) => {
          const v = verdictOf(i);
          return html`<li class="photo ${v ? (v.enrolled ? 'ok' : 'refused') : ''}">
            <img src=${p.url} alt=${p.label} />
            <span class="label">${p.label}</span>
            ${v ? html`<span class="verdict" data-verdict=${v.verdict}>${VERDICT_TEXT[v.verdict]}${v.faces && v.faces > 1 ? ` (${v.faces})` : ''}${v.enrolled ? ', enrolled' : `: ${v.message ?? 'not enrolled'}`}</span>` : ''}
          </li>`;
        })}
      </ul>
      ${this.busy ? html`<p class="status loading" role="status">Enrolling…</p>` : ''}
      ${this.message ? html`<p class="status ok" id="enrol-message">${this.message}</p>` : ''}
      ${this.error ? html`<p class="status error" role="alert">${this.error}</p>` : ''}
    </section>`;
  }
}
customElements.define('frw-enrol-panel', FrwEnrolPanel);

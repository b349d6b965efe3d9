import { html } from 'lit';
import { LightElement } from '../lib/light-element.js';

/**
 * The browser's camera (getUserMedia): start, stop, and `capture()` the current frame as a JPEG. Where there is no
 * camera (or it is refused) it says so, and the panels' file inputs remain: uploading a photo is the fallback.
 */
export class FrwCamera extends LightElement {
  static override properties = { on: { state: true }, error: { state: true } };
  declare on: boolean;
  declare error: string;
  private stream: MediaStream | null = null;

  constructor() {
    super();
    this.on = false;
    this.error = '';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
  }

  async start(): Promise<void> {
    this.error = '';
    if (!navigator.mediaDevices?.getUserMedia) {
      this.error = 'This browser gives no camera here (it needs localhost or HTTPS); upload a photo instead.';
      return;
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
      this.on = true;
      await this.updateComplete;
      const video = this.querySelector('video')!;
      video.srcObject = this.stream;
      await video.play();
      this.dispatchEvent(new CustomEvent('camera-changed', { bubbles: true }));
    } catch (e) {
      this.error = `No camera: ${(e as Error).message}. Upload a photo instead.`;
    }
  }

  stop(): void {
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    if (this.on) {
      this.on = false;
      this.dispatchEvent(new CustomEvent('camera-changed', { bubbles: true }));
    }
  }

  /** The frame in view as a JPEG, or null when the camera is off. */
  async capture(): Promise<Blob | null> {
    const video = this.querySelector('video');
    if (!this.on || !video || video.videoWidth === 0) return null;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')!.drawImage(video, 0, 0);
    return new Promise((resolve) => canvas.toBlob((b) => resolve(b), 'image/jpeg', 0.92));
  }

  override render() {
    return html`<section class="camera">
      <h2>Camera</h2>
      ${this.on
        ? html`<video muted playsinline></video><button id="camera-stop" @click=${() => this.stop()}>Stop camera</button>`
        : html`<button id="camera-start" @click=${() => void this.start()}>Start camera</button>`}
      ${this.error ? html`<p class="status error" role="alert">${this.error}</p>` : ''}
    </section>`;
  }
}
customElements.define('frw-camera', FrwCamera);

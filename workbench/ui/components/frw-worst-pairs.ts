import { html } from 'lit';
import type { OperatingPoint } from '../lib/api.js';
import { LightElement } from '../lib/light-element.js';

/** The worst errors at one threshold as the server listed them (null when the run keeps no pairs, with the reason). */
export interface WorstAt {
  threshold: number;
  worst: OperatingPoint['worst'];
  unavailable: string | null;
}

/**
 * The worst false matches and false non-matches as face pairs, aligned crops or whole photos. The server lists them
 * once a drag settles, so while the threshold moves they belong to an earlier threshold: `current` says which one is
 * on screen, and pairs of another threshold are marked as such rather than passed off as this one's.
 */
export class FrwWorstPairs extends LightElement {
  static override properties = { runId: { type: String }, model: { type: String }, at: { attribute: false }, current: { type: Number }, faceView: { state: true } };
  declare runId: string;
  declare model: string;
  declare at: WorstAt | null;
  /** The threshold shown above (similarity). */
  declare current: number;
  /** Aligned crops (what the model compared) or photos with the chosen face boxed. */
  declare faceView: 'aligned' | 'context';

  constructor() {
    super();
    this.runId = '';
    this.model = '';
    this.at = null;
    this.current = Number.NaN;
    this.faceView = 'aligned';
  }

  override render() {
    const at = this.at;
    if (!at) return html`<p class="note worst-pending">Listing the worst pairs at this threshold…</p>`;
    if (!at.worst) return html`<frw-status state="empty" .message=${at.unavailable ?? 'no pairs to show'}></frw-status>`;
    const stale = at.threshold !== this.current;
    const list = (pairs: NonNullable<OperatingPoint['worst']>['falseMatches'], kind: string, none: string) =>
      pairs.length === 0 ? html`<p class="status empty">${none}</p>` : html`<div class="pairs">${pairs.map((p) => html`<frw-face-pair .runId=${this.runId} .model=${this.model} .view=${this.faceView} .a=${p.a} .b=${p.b} .score=${p.score} .kind=${kind}></frw-face-pair>`)}</div>`;
    return html`<div class=${stale ? 'worst stale' : 'worst'} data-threshold=${at.threshold}>
      <fieldset class="inline face-view"><legend>Faces</legend>
        <label><input type="radio" name="face-view" .checked=${this.faceView === 'aligned'} @change=${() => (this.faceView = 'aligned')} /> aligned crops (what the model compared)</label>
        <label><input type="radio" name="face-view" .checked=${this.faceView === 'context'} @change=${() => (this.faceView = 'context')} /> whole photos, chosen face boxed</label>
      </fieldset>
      ${stale ? html`<p class="note">These pairs are at threshold ${at.threshold.toFixed(4)}; the list for ${this.current.toFixed(4)} follows once the threshold stops moving.</p>` : null}
      <h3>Worst false matches at this threshold (different people accepted, highest score first)</h3>
      ${list(at.worst.falseMatches, 'false match', 'No false matches at this threshold.')}
      <h3>Worst false non-matches (same person rejected, lowest score first)</h3>
      ${list(at.worst.falseNonMatches, 'false non-match', 'No false non-matches at this threshold.')}
    </div>`;
  }
}
customElements.define('frw-worst-pairs', FrwWorstPairs);

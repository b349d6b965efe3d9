import { html } from 'lit';
import type { Interval } from '../../../experiments/metrics/index.js';
import { count, intervalText, pct, sci } from '../../../reports/format.js';
import type { OperatingDetailView } from '../lib/api.js';
import { LightElement } from '../lib/light-element.js';
import type { ShownPoint } from '../lib/shown-point.js';

/**
 * The explorer's numbers at the threshold shown: FMR, FNMR and TAR with Clopper-Pearson intervals and counts, the
 * identity bootstrap beside them once the server has it, the groups there, and the link to export this point.
 * It formats; every number comes computed (the server, or the rate table through lib/shown-point.ts).
 */
export class FrwOperatingRates extends LightElement {
  static override properties = { runId: { type: String }, model: { type: String }, point: { attribute: false }, rule: { type: String }, detail: { attribute: false } };
  declare runId: string;
  declare model: string;
  declare point: ShownPoint | null;
  /** The rule behind the point, or null for a threshold set by hand. */
  declare rule: string | null;
  /** Bootstrap and groups at the point; null until the server answers for it. */
  declare detail: OperatingDetailView | null;

  constructor() {
    super();
    this.runId = '';
    this.model = '';
    this.point = null;
    this.rule = null;
    this.detail = null;
  }

  override render() {
    const c = this.point;
    if (!c) return null;
    const b = this.detail?.bootstrap ?? null;
    const boot = (i: Interval | null | undefined, f: (x: number) => string = pct) => (i ? intervalText(i, f) : this.detail ? '–' : '…');
    const why = this.detail?.unavailable ?? null;
    return html`<table class="rates" aria-label="rates at the threshold">
      <thead><tr><th></th><th>estimate</th><th>Clopper-Pearson (two-sided)</th><th>bootstrap over identities</th><th>counts</th></tr></thead>
      <tbody>
        <tr><th>threshold</th><td id="threshold-value">${c.threshold.similarity.toFixed(4)} similarity</td><td>= ${c.threshold.cosineDistance.toFixed(4)} cosine distance${c.threshold.l2Distance === null ? '' : html` = ${c.threshold.l2Distance.toFixed(4)} L2`}</td>
          <td id="threshold-bootstrap">${this.rule ? boot(b?.threshold, (x) => x.toFixed(4)) : 'set by hand: no interval of its own'}</td><td>${c.description}</td></tr>
        <tr><th>FMR (false match rate)</th><td id="fmr-value">${pct(c.fmr.estimate)} (${sci(c.fmr.estimate)})</td><td>${intervalText(c.fmr)}</td><td id="fmr-bootstrap">${boot(b?.fmr)}</td><td>${count(c.falseMatches)} of ${count(c.impostorCount)} impostor comparisons accepted</td></tr>
        <tr><th>FNMR (false non-match rate)</th><td id="fnmr-value">${pct(c.fnmr.estimate)}</td><td>${intervalText(c.fnmr)}</td><td id="fnmr-bootstrap">${boot(b?.fnmr)}</td><td>${count(c.falseNonMatches)} of ${count(c.genuineCount)} genuine comparisons rejected</td></tr>
        <tr><th>TAR (true accept rate)</th><td id="tar-value">${pct(c.tar.estimate)}</td><td>${intervalText(c.tar)}</td><td id="tar-bootstrap">${boot(b?.tar)}</td><td>${count(c.genuineCount - c.falseNonMatches)} of ${count(c.genuineCount)} genuine comparisons accepted</td></tr>
      </tbody>
    </table>
    <p class="note">Clopper-Pearson treats comparisons as independent; the bootstrap resamples people${this.detail?.replicates ? ` (${this.detail.replicates} replicates, seed ${this.detail.seed})` : ''}, so it widens where the same people recur.${why ? ` No bootstrap or groups here: ${why}.` : ''}</p>
    <p><a class="button" id="export-link" href=${`#/export?run=${encodeURIComponent(this.runId)}&model=${encodeURIComponent(this.model)}&rule=${encodeURIComponent(this.rule ?? `fixed=${c.threshold.similarity}`)}`}>Export a deployment config at this threshold</a>
      <span class="note">${this.rule ? `rule: ${c.description}` : 'a hand-set threshold: the config records it as such, with the rates above'}</span></p>
    ${this.detail ? html`<frw-group-rates .groups=${this.detail.groups}></frw-group-rates>` : null}`;
  }
}
customElements.define('frw-operating-rates', FrwOperatingRates);

import { html } from 'lit';
import type { AttributeDifferentials, RateByGroup } from '../../../experiments/groups.js';
import { count, intervalText, pct, ratio, sci } from '../../../reports/format.js';
import { LightElement } from '../lib/light-element.js';

/**
 * Error rates per group at the threshold shown (grayscale, resolution, face size…), with intervals, counts and
 * the max/min differential. Groups too small to back a rate are marked, never hidden. Numbers from the server.
 */
export class FrwGroupRates extends LightElement {
  static override properties = { groups: { attribute: false } };
  declare groups: AttributeDifferentials[];

  constructor() {
    super();
    this.groups = [];
  }

  private table(by: RateByGroup) {
    const f = by.rate === 'FMR' ? sci : pct;
    const d = by.differential;
    return html`<table class="group-rates" data-rate=${by.rate}>
      <thead><tr><th>group</th><th>${by.rate}</th><th>95% interval</th><th>errors / comparisons</th></tr></thead>
      <tbody>
        ${by.groups.map((g) => html`<tr class=${g.backed ? '' : 'small-group'}><td>${g.group}</td><td>${g.rate ? f(g.rate.estimate) : '–'}</td><td>${g.rate ? intervalText(g.rate, f) : '–'}</td>
          <td>${count(g.errors)} / ${count(g.trials)}${by.trialsToBack !== null && !g.backed ? html` <small>(too few to back the pooled rate: ${count(by.trialsToBack)} needed)</small>` : null}</td></tr>`)}
        ${by.crossGroup.trials ? html`<tr class="cross"><td>between groups</td><td>${f(by.crossGroup.errors / by.crossGroup.trials)}</td><td>reported apart</td><td>${count(by.crossGroup.errors)} / ${count(by.crossGroup.trials)}</td></tr>` : null}
      </tbody>
      <caption>${d ? html`differential ${ratio(d.estimate)} (${d.highest} over ${d.lowest}), bounds [${ratio(d.lower)}, ${ratio(d.upper)}]` : html`no differential: ${by.why}`}</caption>
    </table>`;
  }

  override render() {
    if (this.groups.length === 0) return null;
    return html`<details class="groups">
      <summary>Groups at this threshold</summary>
      <p class="note">An impostor comparison counts in a group when both images are in it; mixed pairs are reported apart.</p>
      ${this.groups.map((a) => html`<div class="group-attr" data-attribute=${a.attribute}><h4>${a.attribute}</h4><div class="group-pair">${this.table(a.fmr)}${this.table(a.fnmr)}</div></div>`)}
    </details>`;
  }
}
customElements.define('frw-group-rates', FrwGroupRates);

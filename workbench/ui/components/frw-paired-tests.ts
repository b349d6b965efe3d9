import { html } from 'lit';
import { count } from '../../../reports/format.js';
import type { CompareResult, PairedSummary } from '../lib/api.js';
import { LightElement } from '../lib/light-element.js';

/** A difference in points: +0.47 pt. */
const points = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)} pt`;

/**
 * The paired tests of a comparison (usecases/compare-paired.ts), one block per pair of rows: McNemar at the stated
 * decision rule, each difference with its paired-bootstrap interval, and the server's verdict in words ("A beats B"
 * only when the interval excludes 0; otherwise no difference backed by this data).
 */
export class FrwPairedTests extends LightElement {
  static override properties = { result: { attribute: false } };
  declare result: CompareResult | null;

  constructor() {
    super();
    this.result = null;
  }

  override render() {
    const r = this.result;
    if (!r) return null;
    return html`<h3>Paired tests</h3>
      <p class="note">Decision rule for McNemar (<code>${r.rule.text}</code>): ${r.rule.description}. Differences are A − B with the
        ${Math.round(100 * r.options.level)}% paired bootstrap over identities (B = ${count(r.options.replicates)}, seed ${r.options.seed}): the same resampled people for both models.</p>
      ${r.pairedNote ? html`<frw-status state="empty" .message=${r.pairedNote}></frw-status>` : null}
      ${!r.pairedNote && r.paired.length === 0 ? html`<frw-status state="empty" message="One row: nothing to pair. Tick another run, or run two models on the same pairs."></frw-status>` : null}
      ${r.paired.map((p) => this.pair(p))}`;
  }

  private pair(p: PairedSummary) {
    const m = p.mcnemar;
    const shown = p.deltas.filter((d) => d.result);
    const skipped = p.deltas.filter((d) => !d.result);
    const reasons = [...new Set(skipped.map((d) => d.unavailable ?? ''))];
    return html`<section class="paired-test" data-a=${p.a} data-b=${p.b}>
      <h4>${p.a} <span class="note">against</span> ${p.b} <small>(A, B) · ${count(p.comparisons)} ${this.result?.kind === 'identify' ? 'probes' : 'comparisons'} both scored${p.excludedFta ? `, ${count(p.excludedFta)} left out (a failure to acquire in either)` : ''}</small></h4>
      <table class="paired">
        <thead><tr><th>test</th><th>result</th><th>interval / counts</th></tr></thead>
        <tbody>
          <tr><th>McNemar (exact)</th>
            ${m ? html`<td>p = ${m.pValue.toPrecision(3)}</td><td>only A right ${count(m.onlyA)} · only B right ${count(m.onlyB)} · both right ${count(m.bothCorrect)} · both wrong ${count(m.bothWrong)}</td>` : html`<td colspan="2"><small>${p.mcnemarUnavailable}</small></td>`}</tr>
          ${shown.map((d) => {
            const r = d.result!;
            return html`<tr><th>Δ${d.statistic}</th><td>${points(r.difference.estimate)} <small>(A ${(100 * r.a).toFixed(2)}%, B ${(100 * r.b).toFixed(2)}%)</small></td>
              <td>[${points(r.difference.lower)}, ${points(r.difference.upper)}] <small>${r.difference.method}${r.difference.failed ? `; ${r.difference.failed} replicates failed: ${r.difference.failures[0]?.message}` : ''}</small></td></tr>`;
          })}
        </tbody>
      </table>
      ${reasons.map((why) => html`<p class="note">Not computed: ${skipped.filter((d) => (d.unavailable ?? '') === why).map((d) => `Δ${d.statistic}`).join(', ')}: ${why}</p>`)}
      <ul class="verdicts">${p.summary.map((s) => html`<li>${s}</li>`)}</ul>
    </section>`;
  }
}
customElements.define('frw-paired-tests', FrwPairedTests);

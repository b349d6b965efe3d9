import { html, type TemplateResult } from 'lit';
import { decisionTarget } from '../../../experiments/audit/targets.js';
import type { AuditRecord } from '../../../runs/audit-folder.js';
import { api, type Decision } from '../lib/api.js';
import { LightElement } from '../lib/light-element.js';

type DecisionKind = Decision['kind'];
type Target = { image: string } | { identities: [string, string] };

/** Rows shown per finding; audit.json and the HTML report hold the rest. */
const ROWS = { outliers: 30, pairs: 30, duplicates: 20, junk: 40 };

/**
 * An audit's findings with the faces side by side (served by /api/audits/…/face) and, on each row, the decision
 * recorded so far and the control to record one. Recording is the parent's job: this fires `decide` with the
 * decision; it does no maths, only shows the audit's numbers.
 */
export class FrwAuditFindings extends LightElement {
  static override properties = { audit: { attribute: false }, decisions: { attribute: false }, datasetName: { type: String }, auditId: { type: String }, busy: { type: Boolean } };
  declare audit: AuditRecord | null;
  declare decisions: Decision[];
  declare datasetName: string;
  declare auditId: string;
  declare busy: boolean;

  constructor() {
    super();
    this.audit = null;
    this.decisions = [];
    this.datasetName = '';
    this.auditId = '';
    this.busy = false;
  }

  private face(path: string | null, caption: string): TemplateResult {
    if (!path) return html`<span class="note">${caption}</span>`;
    return html`<figure class="audit-face"><img src=${api.auditFaceUrl(this.datasetName, this.auditId, path)} alt=${path} title=${path} width="96" height="96" loading="lazy" /><figcaption>${caption}</figcaption></figure>`;
  }

  /** The decision on a target so far, and a select (kinds allowed here) with an optional label to record another. */
  private control(target: Target, kinds: DecisionKind[], label = ''): TemplateResult {
    const now = this.decisions.find((d) => decisionTarget(d) === decisionTarget(target));
    const send = (e: Event) => {
      const box = (e.target as HTMLElement).closest('.decide')!;
      const kind = (box.querySelector('select') as HTMLSelectElement).value as DecisionKind;
      const text = (box.querySelector('input') as HTMLInputElement | null)?.value.trim();
      this.dispatchEvent(new CustomEvent('decide', { detail: { ...target, kind, ...(kind === 'mislabelled' && text ? { label: text } : {}) }, bubbles: true }));
    };
    return html`<div class="decide">
      <span class=${now ? 'decided' : 'note'}>${now ? `${now.kind}${now.label ? ` → ${now.label}` : ''}` : 'undecided'}</span>
      <select aria-label="decision">${kinds.map((k) => html`<option value=${k}>${k}</option>`)}</select>
      ${kinds.includes('mislabelled') ? html`<input aria-label="right identity (mislabelled)" placeholder="right identity (optional)" .value=${label} />` : null}
      <button ?disabled=${this.busy} @click=${send}>record</button>
    </div>`;
  }

  override render() {
    const a = this.audit;
    if (!a) return null;
    const f = a.findings;
    const n = (x: number | null | undefined, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
    const who = (i: { identity: string; unknown: boolean }) => (i.unknown ? 'unknown' : i.identity);
    const pairRows = (list: typeof f.identityPairs.known, unknown: boolean) =>
      list.ranked.slice(0, ROWS.pairs).map((p) => {
        const stranger = p.a.unknown ? p.a : p.b;
        const known = p.a.unknown ? p.b : p.a;
        return html`<tr class=${p.flagged ? 'flagged' : ''}>
          <td class="faces">${this.face(p.closest.imageA, `${p.a.unknown ? 'unknown' : p.a.name} (${p.a.images})`)}${this.face(p.closest.imageB, `${p.b.unknown ? 'unknown' : p.b.name} (${p.b.images})`)}</td>
          <td>${n(p.templateSimilarity)}</td><td>${n(p.closest.similarity)}</td><td>${p.flagged ? 'flagged' : 'listed'}</td>
          <td>${unknown ? (p.a.unknown && p.b.unknown ? html`<span class="note">two strangers alike</span>` : this.control({ image: stranger.name }, ['mislabelled', 'keep'], known.name)) : this.control({ identities: [p.a.name, p.b.name] }, ['same-person', 'keep'])}</td>
        </tr>`;
      });
    const pairHead = html`<thead><tr><th>closest image pair</th><th>template similarity</th><th>closest pair</th><th>flag</th><th>decision</th></tr></thead>`;
    const dups = [...f.duplicates.exact, ...f.duplicates.near].filter((d) => d.differentLabels).slice(0, ROWS.duplicates);
    return html`
      <h3>Intra-identity outliers <small>(${f.outliers.flaggedCount} flagged: robust z ≤ −${f.options.zCut} of leave-one-out similarity)</small></h3>
      <table class="audit-table"><thead><tr><th>image</th><th>leave-one-out</th><th>z set / identity</th><th>nearest other identity</th><th>decision</th></tr></thead>
        <tbody>${f.outliers.ranked.slice(0, ROWS.outliers).map((o) => html`<tr class=${o.flagged ? 'flagged' : ''}>
          <td>${this.face(o.image.path, `${o.image.identity} (${o.identityImages})`)}</td>
          <td>${n(o.looSimilarity)}</td><td>${n(o.zSet, 2)} / ${n(o.zIdentity, 2)}</td>
          <td>${o.nearest ? this.face(o.nearest.example, `${o.nearest.name}: ${n(o.nearest.similarity)}`) : '–'}</td>
          <td>${this.control({ image: o.image.path }, ['mislabelled', 'exclude', 'keep'], o.closerToOther ? (o.nearest?.name ?? '') : '')}</td>
        </tr>`)}</tbody></table>
      <h3>Identities that are probably the same person <small>(${f.identityPairs.known.flaggedCount} flagged: templates ≥ ${n(f.identityPairs.level)})</small></h3>
      <table class="audit-table">${pairHead}<tbody>${pairRows(f.identityPairs.known, false)}</tbody></table>
      <h3>Unknown images that are probably an enrolled identity <small>(${f.identityPairs.unknown.flaggedCount} flagged)</small></h3>
      ${f.groups.unknownImages === 0 ? html`<p class="note">The set has no unknown images.</p>` : html`<table class="audit-table">${pairHead}<tbody>${pairRows(f.identityPairs.unknown, true)}</tbody></table>`}
      <h3>Duplicates under different labels <small>(${dups.length} shown; same-label copies are in audit.json)</small></h3>
      ${dups.length === 0 ? html`<p class="note">None.</p>` : html`<table class="audit-table"><thead><tr><th>kind</th><th>copies</th><th>similarity</th></tr></thead>
        <tbody>${dups.map((d) => html`<tr><td>${d.kind}</td>
          <td class="faces">${d.images.slice(0, 6).map((i) => html`<div>${this.face(i.path, who(i))}${this.control({ image: i.path }, ['duplicate', 'mislabelled', 'keep'])}</div>`)}</td>
          <td>${d.kind === 'exact' ? 'identical bytes' : `${n(d.similarity.min)}–${n(d.similarity.max)}`}</td></tr>`)}</tbody></table>`}
      <h3>Junk <small>(${Object.entries(f.junk.byReason).map(([k, v]) => `${k} ${v}`).join(', ')})</small></h3>
      <table class="audit-table"><thead><tr><th>image</th><th>reasons</th><th>eye distance (px)</th><th>yaw proxy</th><th>decision</th></tr></thead>
        <tbody>${f.junk.rows.slice(0, ROWS.junk).map((j) => html`<tr>
          <td>${this.face(j.image.path, who(j.image))}</td>
          <td>${j.reasons.join(', ')}${j.failure ? html`<br /><small>${j.failure.reason}${j.failure.message ? `: ${j.failure.message}` : ''}</small>` : null}</td>
          <td>${n(j.eyeDistance, 1)}</td><td>${n(j.yaw, 2)}</td>
          <td>${this.control({ image: j.image.path }, ['exclude', 'keep'])}</td></tr>`)}</tbody></table>`;
  }
}
customElements.define('frw-audit-findings', FrwAuditFindings);

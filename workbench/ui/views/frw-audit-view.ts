import { html } from 'lit';
import { count, intervalText, pct, sci } from '../../../reports/format.js';
import type { AuditEffectRun } from '../../../runs/audit-folder.js';
import { api, ApiError, type AuditDetail, type AuditListing, type Decision } from '../lib/api.js';
import { when } from '../lib/format.js';
import { LightElement } from '../lib/light-element.js';
import { navigate } from '../lib/navigate.js';

/**
 * Dataset audits (`frw audit`, written under the workspace): pick one, see the before/after numbers and every
 * finding with its faces side by side, and record decisions about the flags into the dataset's decisions file,
 * which `frw eval --decisions` and `frw identify --decisions` apply.
 */
export class FrwAuditView extends LightElement {
  static override properties = { datasetName: { type: String }, auditId: { type: String }, audits: { state: true }, detail: { state: true }, error: { state: true }, busy: { state: true }, saved: { state: true } };
  declare datasetName: string;
  declare auditId: string;
  declare audits: AuditListing[] | null;
  declare detail: AuditDetail | null;
  declare error: string;
  declare busy: boolean;
  declare saved: string;
  private loaded = '';

  constructor() {
    super();
    this.datasetName = '';
    this.auditId = '';
    this.audits = null;
    this.detail = null;
    this.error = '';
    this.busy = false;
    this.saved = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    api.audits().then((r) => (this.audits = r.audits), (e: ApiError) => (this.error = e.message));
  }

  override updated(): void {
    const pick = this.auditId ? { dataset: this.datasetName, id: this.auditId } : this.audits?.[0];
    const key = pick ? `${pick.dataset}/${pick.id}` : '';
    if (!pick || key === this.loaded) return;
    this.loaded = key;
    this.detail = null;
    api.audit(pick.dataset, pick.id).then((d) => (this.detail = d), (e: ApiError) => (this.error = e.message));
  }

  private async decide(e: CustomEvent<Omit<Decision, 'decidedAt'>>): Promise<void> {
    const pick = this.current();
    if (!pick) return;
    this.busy = true;
    this.saved = '';
    try {
      const r = await api.decide(pick.dataset, pick.id, e.detail);
      this.detail = { ...this.detail!, decisions: { file: r.file, sha256: r.sha256, decisions: r.decisions } };
      this.saved = `recorded in ${r.file} (${r.decisions.length} decisions, sha256 ${r.sha256.slice(0, 12)}…)`;
    } catch (err) {
      this.saved = `not recorded: ${(err as Error).message}`;
    } finally {
      this.busy = false;
    }
  }

  private current(): { dataset: string; id: string } | undefined {
    return this.auditId ? { dataset: this.datasetName, id: this.auditId } : this.audits?.[0];
  }

  override render() {
    if (this.error) return html`<frw-status state="error" .message=${this.error}></frw-status>`;
    if (!this.audits) return html`<frw-status state="loading" message="Looking for audits…"></frw-status>`;
    if (this.audits.length === 0) return html`<frw-status state="empty" message="No audits yet. Run one from the command line: frw audit --dataset lfw-mini --model mobilefacenet (it writes under the workspace's audit/ folder, where this page finds it)."></frw-status>`;
    const pick = this.current()!;
    const d = this.detail;
    return html`<section class="panel audit">
      <div class="toolbar">
        <label>Audit <select id="audit-pick" @change=${(e: Event) => { const [dataset, id] = (e.target as HTMLSelectElement).value.split('/'); navigate('audit', { dataset, id }); }}>
          ${this.audits.map((a) => html`<option value=${`${a.dataset}/${a.id}`} ?selected=${a.dataset === pick.dataset && a.id === pick.id}>${a.name} · ${a.model} · ${when(a.createdAt)}</option>`)}</select></label>
        ${d ? html`<span class="note">${count(d.audit.findings.images)} images · ${count(d.audit.findings.embedded)} embedded · ${d.decisions ? `${d.decisions.decisions.length} decisions in ${d.decisions.file}` : 'no decisions yet'}</span>` : null}
      </div>
      ${this.saved ? html`<p class="note" role="status">${this.saved}</p>` : null}
      ${d ? this.effect(d) : html`<frw-status state="loading" message="Loading the audit…"></frw-status>`}
      ${d ? html`<frw-audit-findings .audit=${d.audit} .decisions=${d.decisions?.decisions ?? []} .datasetName=${pick.dataset} .auditId=${pick.id} .busy=${this.busy} @decide=${(e: CustomEvent) => this.decide(e)}></frw-audit-findings>` : null}
    </section>`;
  }

  private effect(d: AuditDetail) {
    const e = d.audit.effect;
    if (!e) return html`<p class="note">This audit ran without the before/after evaluation (--no-effect).</p>`;
    const targets = e.before.metrics.tarAtFmr.filter((t) => t.measurable).map((t) => t.targetFmr);
    const row = (label: string, r: AuditEffectRun | null) => {
      if (!r) return html`<tr><th>${label}</th><td colspan=${3 + targets.length}>${e.afterError}</td></tr>`;
      const m = r.metrics;
      return html`<tr><th>${label}</th><td>${count(r.images)} / ${count(r.identities)}</td><td>${count(m.counts.genuine)} / ${count(m.counts.impostor)}</td>
        <td>${pct(m.eer.estimate)}<br /><small>${m.eer.bootstrap ? intervalText(m.eer.bootstrap) : 'no bootstrap'}</small></td>
        ${targets.map((f) => {
          const t = m.tarAtFmr.find((x) => x.targetFmr === f);
          return html`<td>${t?.measurable ? html`${pct(t.tar!)}<br /><small>${intervalText(t.interval)}</small>` : 'not measurable'}</td>`;
        })}</tr>`;
    };
    return html`<h3>Effect on the numbers: ${e.protocol}, before and after acting on ${e.apply.join(', ')}</h3>
      <table class="audit-effect"><thead><tr><th></th><th>images / identities</th><th>genuine / impostor</th><th>EER</th>${targets.map((t) => html`<th>TAR@FMR=${sci(t)}</th>`)}</tr></thead>
        <tbody>${row('before', e.before)}${row('after', e.after)}</tbody></table>
      <p class="note">After: ${count(e.applied.excludedImages)} images left out, ${count(e.applied.relabelledImages)} relabelled, ${count(e.applied.mergedIdentities)} identities merged. The flags come from this model's own similarities, so the after numbers bound what fixing the labels could give; decide the flags below, then run frw eval --decisions ${d.decisions?.file ?? '<decisions file>'} for numbers to report.</p>`;
  }
}
customElements.define('frw-audit-view', FrwAuditView);

import { html } from 'lit';
import { api } from '../lib/api.js';
import { LightElement } from '../lib/light-element.js';

interface Built {
  reportId: string;
  verdict: 'pass' | 'fail' | 'cannot-back';
  files: string[];
  pdfError: string | null;
}

const VERDICT_TEXT: Record<Built['verdict'], string> = { pass: 'PASS: every budget is backed', fail: 'FAIL: a budget is exceeded', 'cannot-back': 'CANNOT DECIDE: the data cannot back a budget' };

/** A budget field as typed: empty means "not budgeted"; anything else must read as a number. */
const budgetOf = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));

/**
 * The decision report of the config being exported: budgets to check, then a job (the gate on the run's own
 * dataset, off the HTTP thread) and the report to open or download, HTML and PDF. The numbers are the server's.
 */
export class FrwDecisionReport extends LightElement {
  static override properties = { run: { type: String }, model: { type: String }, rule: { type: String }, mode: { type: String }, kind: { type: String }, maxFmr: { type: String }, maxFnmr: { state: true }, maxDiff: { state: true }, jobId: { state: true }, built: { state: true }, error: { state: true } };
  declare run: string;
  declare model: string;
  declare rule: string;
  declare mode: string;
  /** What the config decides: verification (FMR, FNMR budgets) or identification (FPIR, FNIR). */
  declare kind: 'verification' | 'identification';
  /** The FMR (FPIR) budget to offer: the rule's own target when it has one. */
  declare maxFmr: string;
  declare maxFnmr: string;
  declare maxDiff: string;
  declare jobId: string | null;
  declare built: Built | null;
  declare error: string | null;

  constructor() {
    super();
    this.run = '';
    this.model = '';
    this.rule = '';
    this.mode = 'mean';
    this.kind = 'verification';
    this.maxFmr = '';
    this.maxFnmr = '';
    this.maxDiff = '';
    this.jobId = null;
    this.built = null;
    this.error = null;
  }

  private async start(e: Event): Promise<void> {
    e.preventDefault();
    this.error = null;
    this.built = null;
    const id = this.kind === 'identification';
    const budgets = { [id ? 'maxFpir' : 'maxFmr']: budgetOf(this.maxFmr), [id ? 'maxFnir' : 'maxFnmr']: budgetOf(this.maxFnmr), maxFmrDifferential: budgetOf(this.maxDiff) };
    try {
      this.jobId = (await api.startReport({ run: this.run, model: this.model, rule: this.rule, mode: this.mode, budgets })).job.id;
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  private ended(e: CustomEvent<{ status: string; message?: string } & Partial<Built>>): void {
    const d = e.detail;
    if (d.status === 'done' && d.reportId) this.built = { reportId: d.reportId, verdict: d.verdict!, files: d.files ?? [], pdfError: d.pdfError ?? null };
    else this.error = d.message ?? `the report job ended: ${d.status}`;
    this.jobId = null;
  }

  override render() {
    const field = (id: string, label: string, value: string, set: (v: string) => void, hint: string) =>
      html`<label>${label} <input id=${id} inputmode="decimal" placeholder=${hint} .value=${value} @input=${(e: Event) => set((e.target as HTMLInputElement).value)} /></label>`;
    const b = this.built;
    const [fm, fnm] = this.kind === 'identification' ? ['FPIR', 'FNIR'] : ['FMR', 'FNMR'];
    return html`<form class="grid-form decision-report" @submit=${this.start}>
      <h3>Decision report</h3>
      <p class="hint">Measures this config on the run's own dataset (an identification run: its own enrolment split) as the engine would decide, checks each budget against its one-sided upper bound (Clopper-Pearson and the bootstrap over identities, the stricter deciding), and writes a report to sign: HTML and PDF.</p>
      ${field('report-max-fmr', `Max ${fm}`, this.maxFmr, (v) => (this.maxFmr = v), 'e.g. 0.001')}
      ${field('report-max-fnmr', `Max ${fnm}`, this.maxFnmr, (v) => (this.maxFnmr = v), 'optional')}
      ${field('report-max-diff', `Max ${fm} differential`, this.maxDiff, (v) => (this.maxDiff = v), 'optional, e.g. 2')}
      <button class="secondary" id="build-report" type="submit" ?disabled=${this.jobId !== null}>Build decision report</button>
      ${this.jobId ? html`<frw-job-progress .jobId=${this.jobId} @job-ended=${this.ended}></frw-job-progress>` : null}
      ${this.error ? html`<p class="status error" role="alert">${this.error}</p>` : null}
      ${b
        ? html`<div class="report-built" id="report-built">
            <p class="verdict ${b.verdict}">${VERDICT_TEXT[b.verdict]}</p>
            <a id="report-html" href=${api.decisionReportUrl(b.reportId, 'report.html')} target="_blank" rel="noopener">Open the report (HTML)</a>
            ${b.files.includes('report.pdf') ? html` · <a id="report-pdf" href=${api.decisionReportUrl(b.reportId, 'report.pdf', true)}>Download PDF</a>` : html` · <span class="status error">no PDF: ${b.pdfError}</span>`}
            · <a href=${api.decisionReportUrl(b.reportId, 'gate.json', true)}>measurement (JSON)</a>
          </div>`
        : null}
    </form>`;
  }
}
customElements.define('frw-decision-report', FrwDecisionReport);

import { html } from 'lit';
import { LightElement } from '../lib/light-element.js';
import { api, fmt, type AttendanceRow } from '../lib/api.js';

/** The attendance log, newest first: ID, name, distance, images, time, with the total processing time. */
export class FrwAttendanceTable extends LightElement {
  static override properties = { rows: { state: true }, error: { state: true } };
  declare rows: AttendanceRow[] | null;
  declare error: string;

  constructor() {
    super();
    this.rows = null;
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      this.rows = (await api.attendance()).attendance;
      this.error = '';
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  override render() {
    const rows = this.rows;
    const total = rows?.reduce((s, r) => s + (r.latencyMs ?? 0), 0) ?? 0;
    return html`<section class="attendance">
      <h2>Attendance</h2>
      ${this.error ? html`<p class="status error" role="alert">${this.error}</p>` : ''}
      ${rows === null
        ? html`<p class="status loading" role="status">Loading…</p>`
        : rows.length === 0
          ? html`<p class="status empty">No check-ins yet.</p>`
          : html`<table class="attendance">
              <thead><tr><th>ID</th><th>Name</th><th>Distance</th><th>Images</th><th>Time</th><th>Processing</th></tr></thead>
              <tbody>${rows.map((r) => html`<tr class=${r.decision} data-id=${r.id}>
                <td>${r.identityId ?? '—'}</td><td class="name">${r.decision === 'recognised' ? r.name : r.decision === 'unknown' ? 'unknown' : 'no face'}</td>
                <td>${fmt.num(r.distance)}</td><td>${r.images ?? '—'}</td><td><time datetime=${r.at}>${fmt.time(r.at)}</time></td><td>${fmt.ms(r.latencyMs)}</td>
              </tr>`)}</tbody>
              <tfoot><tr><td colspan="6" id="total-time">${rows.length} check-in${rows.length === 1 ? '' : 's'}, total processing time ${fmt.ms(total)}</td></tr></tfoot>
            </table>`}
    </section>`;
  }
}
customElements.define('frw-attendance-table', FrwAttendanceTable);

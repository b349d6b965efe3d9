import { html } from 'lit';
import { LightElement } from '../lib/light-element.js';
import { api, type IdentityRow } from '../lib/api.js';

/** The enrolled people, each with their photo count: rename in place, delete after a second click. */
export class FrwPeopleList extends LightElement {
  static override properties = { people: { state: true }, error: { state: true }, confirming: { state: true }, editing: { state: true } };
  declare people: IdentityRow[] | null;
  declare error: string;
  declare confirming: string | null;
  declare editing: string | null;

  constructor() {
    super();
    this.people = null;
    this.error = '';
    this.confirming = null;
    this.editing = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      this.people = (await api.identities()).identities;
      this.error = '';
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private async act(fn: () => Promise<unknown>): Promise<void> {
    this.error = '';
    try {
      await fn();
      this.confirming = null;
      this.editing = null;
      this.dispatchEvent(new CustomEvent('people-changed', { bubbles: true }));
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private row(p: IdentityRow) {
    if (this.editing === p.name) {
      return html`<tr data-name=${p.name}><td>${p.id}</td><td colspan="2"><form class="rename-form" @submit=${(e: Event) => {
        e.preventDefault();
        const to = (this.querySelector('.rename-input') as HTMLInputElement).value.trim();
        void this.act(() => api.rename(p.name, to));
      }}><input class="rename-input" .value=${p.name} maxlength="200" required /><button type="submit" class="rename-save">Save</button><button type="button" @click=${() => (this.editing = null)}>Cancel</button></form></td></tr>`;
    }
    return html`<tr data-name=${p.name}>
      <td>${p.id}</td><td class="name">${p.name}</td><td>${p.vectors}</td>
      <td>
        <button class="rename" @click=${() => (this.editing = p.name)}>Rename</button>
        ${this.confirming === p.name
          ? html`<button class="delete confirm" @click=${() => void this.act(() => api.remove(p.name))}>Really delete ${p.name}?</button>`
          : html`<button class="delete" @click=${() => (this.confirming = p.name)}>Delete</button>`}
      </td>
    </tr>`;
  }

  override render() {
    return html`<section class="people">
      <h2>Enrolled</h2>
      ${this.error ? html`<p class="status error" role="alert">${this.error}</p>` : ''}
      ${this.people === null
        ? html`<p class="status loading" role="status">Loading…</p>`
        : this.people.length === 0
          ? html`<p class="status empty">Nobody is enrolled yet.</p>`
          : html`<table class="people"><thead><tr><th>ID</th><th>Name</th><th>Images</th><th></th></tr></thead><tbody>${this.people.map((p) => this.row(p))}</tbody></table>`}
    </section>`;
  }
}
customElements.define('frw-people-list', FrwPeopleList);

import { html, type PropertyValues } from 'lit';
import { api, type DatasetListing, type DatasetSummary, type FailureList, type ImagePage, type ModelListing } from '../lib/api.js';
import { count, pct } from '../../../reports/format.js';
import { LightElement } from '../lib/light-element.js';
import { navigate } from '../lib/navigate.js';

const PAGE = 24;
/** Failures of images that decoded (so a thumbnail can show them); the others cannot be drawn. */
const DECODED = new Set(['no-face', 'multiple-faces']);

/** Datasets: what the data root holds, registering more, each set's summary, thumbnails and failures to acquire. */
export class FrwDatasetsView extends LightElement {
  static override properties = {
    selected: { type: String },
    list: { state: true },
    models: { state: true },
    summary: { state: true },
    images: { state: true },
    failures: { state: true },
    failureModel: { state: true },
    error: { state: true },
    detailError: { state: true },
    registerResult: { state: true },
  };
  declare selected: string;
  declare list: DatasetListing[] | null;
  declare models: ModelListing[];
  declare summary: DatasetSummary | null;
  declare images: ImagePage | null;
  declare failures: FailureList | null;
  declare failureModel: string;
  declare error: string | null;
  declare detailError: string | null;
  declare registerResult: { ok: boolean; message: string } | null;

  constructor() {
    super();
    this.selected = '';
    this.list = null;
    this.models = [];
    this.summary = null;
    this.images = null;
    this.failures = null;
    this.failureModel = 'fr-feature';
    this.error = null;
    this.detailError = null;
    this.registerResult = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadList();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('selected') && this.selected) void this.loadDetail(0);
  }

  private async loadList(): Promise<void> {
    try {
      const [d, m] = await Promise.all([api.datasets(), api.models()]);
      this.list = d.datasets;
      this.models = m.models.filter((x) => x.task === 'embedding');
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private async loadDetail(offset: number): Promise<void> {
    this.detailError = null;
    if (offset === 0) {
      this.summary = null;
      this.failures = null;
    }
    try {
      const [s, imgs] = await Promise.all([offset === 0 ? api.dataset(this.selected) : Promise.resolve({ summary: this.summary! }), api.images(this.selected, offset, PAGE)]);
      this.summary = s.summary;
      this.images = imgs;
      if (offset === 0) void this.loadFailures();
    } catch (e) {
      this.detailError = (e as Error).message;
    }
  }

  private async loadFailures(): Promise<void> {
    try {
      this.failures = await api.failures(this.selected, this.failureModel);
    } catch (e) {
      this.detailError = (e as Error).message;
    }
  }

  private async register(e: Event): Promise<void> {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const body = Object.fromEntries([...form.entries()].filter(([, v]) => v !== '').map(([k, v]) => [k, String(v)]));
    try {
      const r = await api.registerDataset(body);
      this.registerResult = { ok: true, message: `Registered ${r.summary.name}: ${count(r.summary.images)} images, ${count(r.summary.identities.total)} identities.` };
      await this.loadList();
    } catch (err) {
      this.registerResult = { ok: false, message: (err as Error).message };
    }
  }

  override render() {
    if (this.error) return html`<frw-status state="error" .message=${this.error}></frw-status>`;
    if (!this.list) return html`<frw-status state="loading" message="Reading the data root…"></frw-status>`;
    return html`<section class="panel">
        <h2>Datasets</h2>
        ${this.list.length === 0
          ? html`<frw-status state="empty" message="The data root holds no dataset folders. Put one folder per dataset there, or register one below."></frw-status>`
          : html`<table class="datasets"><thead><tr><th>name</th><th>layout</th><th>source</th></tr></thead><tbody>
              ${this.list.map((d) => html`<tr class=${d.name === this.selected ? 'selected' : ''}>
                <td><a href=${`#/datasets?name=${encodeURIComponent(d.name)}`}>${d.name}</a></td>
                <td>${d.kind ?? html`<span class="error">unreadable: ${d.problem}</span>`}</td><td>${d.source}</td></tr>`)}
            </tbody></table>`}
      </section>
      ${this.selected ? this.detail() : null}
      <section class="panel">
        <h2>Register a dataset</h2>
        <p class="note">A folder (one sub-folder per identity, optional <code>unknown/</code>), a CSV with <code>image,label</code> columns, or an LFW-style folder with <code>pairs.txt</code>. Paths are relative to the data root; nothing outside it is read.</p>
        <form class="grid-form" id="register-dataset" @submit=${this.register}>
          <label>Name <input name="name" required pattern="[A-Za-z0-9_][A-Za-z0-9_.\\-]*" /></label>
          <label>Path under the data root <input name="path" required placeholder="my-set or my-set/train.csv" /></label>
          <label>Layout <select name="kind"><option value="">detect</option><option value="folder">folder per identity</option><option value="csv">CSV (image,label)</option><option value="lfw">LFW (pairs.txt)</option></select></label>
          <label>CSV: label of unknown people <input name="unknownLabel" placeholder="e.g. 1000" /></label>
          <label>CSV: images folder <input name="imagesDir" placeholder="relative to the data root" /></label>
          <label>Folder: unknown people folder <input name="unknownPath" placeholder="relative to the data root" /></label>
          <button class="primary" type="submit">Register</button>
        </form>
        ${this.registerResult ? html`<p class=${this.registerResult.ok ? 'status' : 'status error'} role=${this.registerResult.ok ? 'status' : 'alert'}>${this.registerResult.message}</p>` : null}
      </section>`;
  }

  private detail() {
    if (this.detailError) return html`<section class="panel"><frw-status state="error" .message=${this.detailError}></frw-status></section>`;
    const s = this.summary;
    if (!s) return html`<section class="panel"><frw-status state="loading" message="Scanning the dataset (hashing and measuring every image the first time)…"></frw-status></section>`;
    const buckets = (b: Array<{ label: string; count: number }>) => b.map((x) => `${x.label}: ${count(x.count)}`).join(' · ');
    const imgs = this.images;
    return html`<section class="panel dataset-detail">
      <h2>${s.name} <small>(${s.kind})</small></h2>
      <dl class="summary">
        <dt>Images</dt><dd>${count(s.images)} (${count(s.decodable)} decodable, ${count(s.unknownImages)} of never-enrolled people)</dd>
        <dt>Identities</dt><dd>${count(s.identities.total)} (${count(s.identities.enrolled)} enrollable, ${count(s.identities.unknown)} unknown); ${count(s.singleImageIdentities)} with a single image</dd>
        <dt>Images per identity</dt><dd>${buckets(s.imagesPerIdentity)}</dd>
        <dt>Grayscale</dt><dd>${count(s.grayscale.count)} images (${pct(s.grayscale.share)} of decodable)</dd>
        <dt>Resolution (shorter side)</dt><dd>${buckets(s.resolution)}</dd>
        <dt>Formats</dt><dd>${buckets(s.formats)}</dd>
        ${s.pairs ? html`<dt>Pairs</dt><dd>${count(s.pairs.total)} (${count(s.pairs.same)} same, ${count(s.pairs.different)} different${s.pairs.folds ? `, ${s.pairs.folds} folds` : ''})</dd>` : null}
        <dt>Problems</dt><dd>${s.problems.length === 0 ? 'none' : s.problems.map((g) => html`<div>${g.kind}: ${g.count} <small>${g.problems.slice(0, 3).map((p) => `${p.path} (${p.message})`).join('; ')}</small></div>`)}</dd>
      </dl>
      <h3>Images</h3>
      ${imgs && imgs.images.length > 0
        ? html`<div class="thumbs">${imgs.images.map((i) => html`<figure><img src=${api.thumbnailUrl(s.name, i.path)} alt=${i.path} width="96" height="96" loading="lazy" /><figcaption>${i.identity}${i.grayscale ? ' · gray' : ''}</figcaption></figure>`)}</div>
          <div class="pager"><button class="secondary" ?disabled=${imgs.offset === 0} @click=${() => this.loadDetail(Math.max(0, imgs.offset - PAGE))}>Previous</button>
            <span>${imgs.offset + 1}–${imgs.offset + imgs.images.length} of ${count(imgs.total)}</span>
            <button class="secondary" ?disabled=${imgs.offset + PAGE >= imgs.total} @click=${() => this.loadDetail(imgs.offset + PAGE)}>Next</button></div>`
        : html`<frw-status state="empty" message="No images."></frw-status>`}
      <h3>Failures to acquire a face</h3>
      <label>under model <select @change=${(e: Event) => ((this.failureModel = (e.target as HTMLSelectElement).value), this.loadFailures())}>
        ${this.models.map((m) => html`<option ?selected=${m.id === this.failureModel}>${m.id}</option>`)}</select></label>
      ${this.failures === null
        ? html`<frw-status state="loading" message="Reading the embedding cache…"></frw-status>`
        : this.failures.embedded === 0 && this.failures.failures.length === 0
          ? html`<frw-status state="empty" message=${`Not embedded with ${this.failures.model} yet: run an evaluation on this dataset and its failures appear here.`}></frw-status>`
          : html`<p>${count(this.failures.embedded)} embedded · ${count(this.failures.failures.length)} failures to acquire${this.failures.pending ? ` · ${count(this.failures.pending)} not processed yet` : ''}</p>
            ${this.failures.failures.length === 0 ? html`<p class="status empty">Every processed image gave a face.</p>` : html`<table class="failures"><thead><tr><th></th><th>image</th><th>identity</th><th>reason</th></tr></thead><tbody>
              ${this.failures.failures.slice(0, 200).map((f) => html`<tr><td>${DECODED.has(f.reason) ? html`<img src=${api.thumbnailUrl(s.name, f.path)} alt=${f.path} width="64" height="64" loading="lazy" />` : html`<span class="broken-image">cannot be shown</span>`}</td><td>${f.path}</td><td>${f.identity}</td><td>${f.reason}</td></tr>`)}</tbody></table>`}`}
      <p><button class="secondary" @click=${() => navigate('experiments', { dataset: s.name })}>Evaluate on this dataset</button></p>
    </section>`;
  }
}
customElements.define('frw-datasets-view', FrwDatasetsView);

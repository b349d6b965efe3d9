import { html } from 'lit';
import { LightElement } from '../lib/light-element.js';
import { formatRoute, parseRoute, type Route, type ViewName } from '../lib/route.js';

const TITLES: Record<ViewName, string> = {
  experiments: 'Experiments',
  explorer: 'Threshold explorer',
  compare: 'Compare models',
  identification: 'Identification',
  export: 'Export',
  datasets: 'Datasets',
  audit: 'Audit',
  models: 'Models',
};

/** The shell: navigation and the current view, chosen by the URL hash (so views are links). */
export class FrwApp extends LightElement {
  static override properties = { route: { state: true } };
  declare route: Route;
  private readonly onHash = () => (this.route = parseRoute(location.hash));

  constructor() {
    super();
    this.route = parseRoute(location.hash);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
  }

  override render() {
    const p = this.route.params;
    return html`<header class="top">
        <h1>FR Workbench</h1>
        <nav aria-label="views">
          ${(Object.keys(TITLES) as ViewName[]).map((v) => html`<a href=${formatRoute(v)} aria-current=${v === this.route.view ? 'page' : 'false'} data-view=${v}>${TITLES[v]}</a>`)}
        </nav>
      </header>
      <main>${this.view(this.route.view, p)}</main>`;
  }

  private view(v: ViewName, p: Record<string, string>) {
    switch (v) {
      case 'experiments':
        return html`<frw-experiments-view .preselect=${p.dataset ?? ''}></frw-experiments-view>`;
      case 'explorer':
        return html`<frw-explorer-view .runId=${p.run ?? ''} .model=${p.model ?? ''}></frw-explorer-view>`;
      case 'compare':
        return html`<frw-compare-view .runId=${p.run ?? ''} .runIds=${p.runs ?? ''}></frw-compare-view>`;
      case 'identification':
        return html`<frw-identification-view .runId=${p.run ?? ''}></frw-identification-view>`;
      case 'export':
        return html`<frw-export-view .runId=${p.run ?? ''} .model=${p.model ?? ''} .rule=${p.rule ?? ''}></frw-export-view>`;
      case 'datasets':
        return html`<frw-datasets-view .selected=${p.name ?? ''}></frw-datasets-view>`;
      case 'audit':
        return html`<frw-audit-view .datasetName=${p.dataset ?? ''} .auditId=${p.id ?? ''}></frw-audit-view>`;
      case 'models':
        return html`<frw-models-view></frw-models-view>`;
    }
  }
}
customElements.define('frw-app', FrwApp);

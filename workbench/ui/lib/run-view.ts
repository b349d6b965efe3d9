import type { PropertyDeclarations, PropertyValues } from 'lit';
import { api, type RunDetail, type RunListing } from './api.js';
import { LightElement } from './light-element.js';

/**
 * What every view of one run shares: the run named by the route (or the newest one offered), the menu of runs,
 * and loading and error states. Subclasses say which runs they offer and what to prepare once a run is loaded.
 */
export abstract class RunView extends LightElement {
  static override properties: PropertyDeclarations = { runId: { type: String }, runs: { state: true }, detail: { state: true }, error: { state: true } };
  declare runId: string;
  declare runs: RunListing[] | null;
  declare detail: RunDetail | null;
  declare error: string | null;
  /** The run on screen; the route may name none (newest run) or the run already loaded. */
  private loaded: string | null = null;

  constructor() {
    super();
    this.runId = '';
    this.runs = null;
    this.detail = null;
    this.error = null;
  }

  /** The runs this view offers, in its menu's order. */
  protected abstract offered(all: RunListing[]): RunListing[];

  /** Work to do with a loaded run before it is shown (choose a model, fetch more); a throw shows as the error. */
  protected async prepare(_detail: RunDetail): Promise<void> {}

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('runId') && (this.loaded === null || this.runId !== this.loaded)) void this.load();
  }

  private async load(): Promise<void> {
    this.error = null;
    this.detail = null;
    try {
      this.runs = this.offered((await api.runs()).runs);
      const id = this.runId || this.runs[0]?.id;
      if (!id) return;
      this.loaded = id;
      this.runId = id;
      const detail = await api.run(id);
      await this.prepare(detail);
      this.detail = detail;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }
}

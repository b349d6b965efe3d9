import { html } from 'lit';
import { api, type ModelListing } from '../lib/api.js';
import { bytes } from '../../../reports/format.js';
import { LightElement } from '../lib/light-element.js';

/** Cards to start from: the fields addModel checks, for ArcFace-style 112×112 embedders. */
const ONNX_TEMPLATE = {
  id: 'ghostfacenet',
  name: 'GhostFaceNet (my export)',
  task: 'embedding',
  format: 'onnx',
  input: { name: 'input', shape: [1, 3, 112, 112], layout: 'NCHW', channelOrder: 'RGB', mean: [127.5, 127.5, 127.5], std: [128, 128, 128] },
  output: { name: 'output', dim: 512 },
  alignment: { size: 112, margin: 0 },
  licence: 'state the licence of these weights',
  provenance: 'where the checkpoint came from',
};
/** Keras files are channels-last; input and output are named after their layers (see `frw model add --help`). */
const KERAS_TEMPLATE = {
  ...ONNX_TEMPLATE,
  format: 'keras-h5',
  input: { ...ONNX_TEMPLATE.input, name: 'input_1', shape: [-1, 112, 112, 3], layout: 'NHWC' },
  output: { name: 'embedding', dim: 512 },
};
const TEMPLATES = { onnx: ONNX_TEMPLATE, 'keras-h5': KERAS_TEMPLATE } as const;

/** Model cards with provenance and licence, and adding a user checkpoint (upload or path) with its card. */
export class FrwModelsView extends LightElement {
  static override properties = { models: { state: true }, error: { state: true }, source: { state: true }, template: { state: true }, result: { state: true }, busy: { state: true } };
  declare models: ModelListing[] | null;
  declare error: string | null;
  declare source: 'upload' | 'path';
  declare template: keyof typeof TEMPLATES;
  declare result: { ok: boolean; message: string } | null;
  declare busy: boolean;

  constructor() {
    super();
    this.models = null;
    this.error = null;
    this.source = 'upload';
    this.template = 'onnx';
    this.result = null;
    this.busy = false;
  }

  /** A picked .h5 file switches the starting card to the Keras one (an edited card is kept). */
  private picked = (e: Event): void => {
    const name = (e.target as HTMLInputElement).files?.[0]?.name ?? '';
    const area = this.querySelector<HTMLTextAreaElement>('textarea[name=card]');
    const untouched = area && Object.values(TEMPLATES).some((t) => area.value === JSON.stringify(t, null, 2));
    const next = name.toLowerCase().endsWith('.h5') ? 'keras-h5' : 'onnx';
    if (untouched && next !== this.template) {
      this.template = next;
      area.value = JSON.stringify(TEMPLATES[next], null, 2);
    }
  };

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.models = (await api.models()).models;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private async add(e: Event): Promise<void> {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const cardText = String(form.get('card') ?? '');
    this.result = null;
    let card: unknown;
    try {
      card = JSON.parse(cardText);
    } catch (err) {
      this.result = { ok: false, message: `The card is not valid JSON: ${(err as Error).message}` };
      return;
    }
    this.busy = true;
    try {
      let added;
      if (this.source === 'upload') {
        const file = form.get('file');
        if (!(file instanceof File) || file.size === 0) throw new Error('choose the .onnx file to upload');
        const body = new FormData();
        body.set('card', JSON.stringify(card));
        body.set('file', file);
        added = await api.addModel(body);
      } else {
        added = await api.addModelByPath(String(form.get('path') ?? ''), card);
      }
      this.result = { ok: true, message: `Added ${added.model.id}: the card matched the model on a test inference. It is now offered in Experiments.` };
      await this.load();
    } catch (err) {
      this.result = { ok: false, message: (err as Error).message };
    } finally {
      this.busy = false;
    }
  }

  override render() {
    if (this.error) return html`<frw-status state="error" .message=${this.error}></frw-status>`;
    if (!this.models) return html`<frw-status state="loading" message="Loading model cards…"></frw-status>`;
    return html`<section class="panel">
        <h2>Model cards</h2>
        ${this.models.length === 0
          ? html`<frw-status state="empty" message="No model cards found."></frw-status>`
          : html`<table class="models"><thead><tr><th>id</th><th>task</th><th>name</th><th>input → output</th><th>file</th><th>licence</th><th>provenance</th><th>origin</th></tr></thead><tbody>
              ${this.models.map((m) => html`<tr>
                <th>${m.id}</th><td>${m.task}</td><td>${m.name}</td>
                <td>${m.task === 'embedding' ? `${m.input.shape.join('×')} ${m.input.channelOrder} → ${m.output.dim}-d` : `${m.input.size.join('×')} ${m.family}`}</td>
                <td>${m.format}, ${bytes(m.bytes)}<br /><small>sha256 ${m.sha256.slice(0, 12)}…</small></td>
                <td>${m.licence}</td><td><small>${m.provenance}</small></td><td>${m.origin}</td></tr>`)}
            </tbody></table>`}
      </section>
      <section class="panel">
        <h2>Add a checkpoint</h2>
        <p class="note">The card says how to feed the model. It is checked against the real model (input shape, one test inference, output size) before anything is saved.</p>
        <form class="grid-form" id="add-model" @submit=${this.add}>
          <fieldset class="inline"><legend>Checkpoint</legend>
            <label><input type="radio" name="source" .checked=${this.source === 'upload'} @change=${() => (this.source = 'upload')} /> upload an ONNX or Keras .h5 file</label>
            <label><input type="radio" name="source" .checked=${this.source === 'path'} @change=${() => (this.source = 'path')} /> a file under the model root</label>
          </fieldset>
          ${this.source === 'upload' ? html`<label>Checkpoint file <input type="file" name="file" accept=".onnx,.h5" @change=${this.picked} /></label>` : html`<label>Path under the model root <input name="path" placeholder="ghostfacenet.h5, model.onnx or my-model/model.json" /></label>`}
          <label class="wide">Card (JSON) <textarea name="card" rows="14" spellcheck="false">${JSON.stringify(TEMPLATES[this.template], null, 2)}</textarea></label>
          <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Checking…' : 'Add model'}</button>
        </form>
        ${this.result ? html`<p class=${this.result.ok ? 'status' : 'status error'} role=${this.result.ok ? 'status' : 'alert'} id="add-model-result">${this.result.message}</p>` : null}
      </section>`;
  }
}
customElements.define('frw-models-view', FrwModelsView);

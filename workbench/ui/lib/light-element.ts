import { LitElement } from 'lit';

/**
 * Components render into the light DOM: one stylesheet (styles.css) styles the whole app, and vega-embed's
 * tooltips and the browser tests see plain elements. Lit's reactive properties work the same.
 */
export class LightElement extends LitElement {
  protected override createRenderRoot(): HTMLElement {
    return this;
  }
}

import { LitElement } from 'lit';

/**
 * Components render into the light DOM, as the workbench's do (workbench/ui/lib/light-element.ts; a copy, since the
 * engine's layer may not import the workbench's): one stylesheet styles the app, and browser tests see plain elements.
 */
export class LightElement extends LitElement {
  protected override createRenderRoot(): HTMLElement {
    return this;
  }
}

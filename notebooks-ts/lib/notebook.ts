import fs from 'node:fs';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../../core/lock.js';
import { escapeHtml, htmlTable, renderReport, type ReportSection } from '../../reports/html.js';

/**
 * A TypeScript notebook: a script that states a question, computes with the project's own functions, and records
 * prose, tables and charts as it goes. `save` writes them as one self-contained HTML page (the report renderer,
 * vega inlined) that opens offline. Run a notebook with `npx tsx notebooks-ts/<name>.ts`.
 */
export class Notebook {
  private readonly sections: ReportSection[] = [];

  constructor(
    readonly title: string,
    readonly subtitle: string,
  ) {}

  /** A section of prose: each string a paragraph (plain text, escaped). */
  text(title: string, ...paragraphs: string[]): this {
    this.sections.push({ title, html: paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('') });
    return this;
  }

  table(title: string, header: string[], rows: Array<Array<string | number>>, note?: string): this {
    this.sections.push({ title, html: htmlTable(header, rows) + (note ? `<p class="note">${escapeHtml(note)}</p>` : '') });
    return this;
  }

  charts(title: string, ...charts: TopLevelSpec[]): this {
    this.sections.push({ title, charts });
    return this;
  }

  html(): string {
    return renderReport({ title: this.title, subtitle: this.subtitle, sections: this.sections });
  }

  /** Write the page (atomically) and return its path. */
  save(file: string): string {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, this.html());
    return file;
  }
}

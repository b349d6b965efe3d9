import fs from 'node:fs';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { packageDir } from '../core/paths.js';

/**
 * A self-contained HTML report: the vega, vega-lite and vega-embed builds are inlined from node_modules, so the
 * file opens offline, can be mailed to QA, and renders the same in five years.
 */
export interface ReportSection {
  title: string;
  /** Trusted HTML built by this module's helpers (tables escape their cells). */
  html?: string;
  charts?: TopLevelSpec[];
}

export interface ReportInput {
  title: string;
  subtitle: string;
  sections: ReportSection[];
}

let scripts: string | null = null;
function vegaScripts(): string {
  scripts ??= [['vega', 'build/vega.min.js'], ['vega-lite', 'build/vega-lite.min.js'], ['vega-embed', 'build/vega-embed.min.js']]
    .map(([pkg, file]) => `<script>${fs.readFileSync(path.join(packageDir(pkg), file), 'utf8').replace(/<\/script/gi, '<\\/script')}</script>`)
    .join('\n');
  return scripts;
}

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** An HTML table; every cell is escaped. */
export function htmlTable(header: string[], rows: Array<Array<string | number>>): string {
  const cell = (v: string | number, tag: string) => `<${tag}>${escapeHtml(String(v))}</${tag}>`;
  return `<table><thead><tr>${header.map((h) => cell(h, 'th')).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((v) => cell(v, 'td')).join('')}</tr>`).join('')}</tbody></table>`;
}

export function renderReport(input: ReportInput): string {
  let n = 0;
  const charts: Array<{ id: string; spec: TopLevelSpec }> = [];
  const body = input.sections
    .map((s) => {
      const divs = (s.charts ?? []).map((spec) => {
        const id = `chart${n++}`;
        charts.push({ id, spec });
        return `<div class="chart" id="${id}"></div>`;
      });
      return `<section><h2>${escapeHtml(s.title)}</h2>${s.html ?? ''}<div class="charts">${divs.join('')}</div></section>`;
    })
    .join('\n');
  const data = JSON.stringify(charts).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1200px;color:#222;padding:0 1rem}
h1{margin-bottom:.2rem}.sub{color:#666;margin-top:0}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left}th{background:#f4f4f4}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}.note{color:#555;font-size:13px}
</style>
${vegaScripts()}
</head><body>
<h1>${escapeHtml(input.title)}</h1><p class="sub">${escapeHtml(input.subtitle)}</p>
${body}
<script>
for (const c of ${data}) vegaEmbed('#' + c.id, c.spec, { actions: { export: true, source: false, compiled: false, editor: false } }).catch((e) => { document.getElementById(c.id).textContent = 'chart failed: ' + e.message; });
</script>
</body></html>
`;
}

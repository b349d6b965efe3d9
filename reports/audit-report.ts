import type { ImageRef } from '../experiments/audit/audit.js';
import { decisionTarget } from '../experiments/audit/decisions.js';
import type { AuditEffectRun, AuditRecord } from '../runs/audit-folder.js';
import { count, intervalText, pct, sci } from './format.js';
import { escapeHtml, renderReport, type ReportSection } from './html.js';

/**
 * The audit's self-contained report: each finding with the faces side by side (aligned crops as data: URIs), the
 * levels that flagged it, what the user decided about it, and the before/after table. Rows per section are
 * bounded (REPORT_ROWS); audit.json holds every flagged item.
 */
export const REPORT_ROWS = { outliers: 40, pairs: 40, duplicates: 30, junk: 60, groupMembers: 6 } as const;

export interface AuditThumbs {
  images: ReadonlyMap<string, string | null>;
  leftOut: number;
}

/** Every image the report shows, in the order it shows them (what the thumbnails' bound keeps first). */
export function reportImagePaths(r: AuditRecord): string[] {
  const f = r.findings;
  const out: string[] = [];
  for (const o of f.outliers.ranked.slice(0, REPORT_ROWS.outliers)) out.push(o.image.path, ...(o.nearest?.example ? [o.nearest.example] : []));
  for (const p of [...f.identityPairs.known.ranked.slice(0, REPORT_ROWS.pairs), ...f.identityPairs.unknown.ranked.slice(0, REPORT_ROWS.pairs)]) out.push(p.closest.imageA, p.closest.imageB);
  for (const d of duplicateRows(r)) out.push(...d.images.slice(0, REPORT_ROWS.groupMembers).map((i) => i.path));
  for (const j of f.junk.rows.slice(0, REPORT_ROWS.junk)) out.push(j.image.path);
  return out;
}

/** Duplicate groups as listed: different labels first (exact, then near), then byte-identical copies under one label. */
function duplicateRows(r: AuditRecord) {
  const { exact, near } = r.findings.duplicates;
  return [...exact.filter((d) => d.differentLabels), ...near.filter((d) => d.differentLabels), ...exact.filter((d) => !d.differentLabels)].slice(0, REPORT_ROWS.duplicates);
}

const FIGURE_STYLE = '<style>figure{display:inline-block;margin:0 .4rem 0 0;vertical-align:top;max-width:150px}figcaption{font-size:12px}.path{color:#888;font-size:11px;word-break:break-all}</style>';
const esc = (v: string | number) => escapeHtml(String(v));
const num = (x: number | null | undefined, digits = 3) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));

/** A table whose cells are trusted HTML (each built here from escaped text). */
function table(header: string[], rows: string[][]): string {
  return `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

export function auditReportHtml(r: AuditRecord, thumbs: AuditThumbs): string {
  const f = r.findings;
  const decided = new Map((r.userDecisions?.decisions ?? []).map((d) => [decisionTarget(d), d.kind + (d.label ? ` → ${d.label}` : '')]));
  const mark = (target: { image?: string; identities?: [string, string] }) => {
    const k = decided.get(decisionTarget(target));
    return k ? `<b>${esc(k)}</b>` : '<span class="note">undecided</span>';
  };
  const face = (p: string | null, caption: string) => {
    if (!p) return `<span class="note">${esc(caption)}</span>`;
    const src = thumbs.images.get(p);
    const img = src ? `<img src="${src}" width="64" height="64" alt="">` : src === null ? '<span class="note">(no crop)</span>' : '';
    return `<figure>${img}<figcaption>${esc(caption)}<br><span class="path">${esc(p)}</span></figcaption></figure>`;
  };
  const who = (i: ImageRef) => (i.unknown ? 'unknown' : i.identity);
  const o = f.options;
  const sections: ReportSection[] = [];
  sections.push({
    title: 'Summary',
    html: FIGURE_STYLE + table(['finding', 'flagged', 'rule'], [
      ['intra-identity outliers', count(f.outliers.flaggedCount), esc(`robust z of leave-one-out template similarity ≤ −${o.zCut} across the ${count(f.outliers.scored)} images that have one (median ${num(f.outliers.setScale.median)}, MAD ${num(f.outliers.setScale.mad)})`)],
      ['exact duplicates (groups; under different labels)', `${count(f.duplicates.exact.length)}; ${count(f.duplicates.exact.filter((d) => d.differentLabels).length)}`, 'equal sha256 of the file bytes'],
      ['near-duplicates (groups; under different labels)', `${count(f.duplicates.near.length)}; ${count(f.duplicates.near.filter((d) => d.differentLabels).length)}`, esc(`embedding similarity ≥ ${o.nearDuplicate} among each image's ${o.neighbours} nearest, bytes not equal`)],
      ['identity pairs probably one person', count(f.identityPairs.known.flaggedCount), esc(`${f.identityPairs.levelRule}: ≥ ${num(f.identityPairs.level)}; ${count(f.identityPairs.candidates)} candidate pairs measured`)],
      ['unknown images probably an identity (or each other)', count(f.identityPairs.unknown.flaggedCount), 'the same level'],
      ...Object.entries(f.junk.byReason).map(([reason, n]) => [`junk: ${esc(reason)}`, count(n), esc(junkRule(reason, r))]),
    ]) + `<p class="note">${count(f.images)} images, ${count(f.embedded)} embedded; ${count(f.groups.known)} identities and ${count(f.groups.unknownImages)} unknown images (each its own person). Similarities are cosines of ${esc(r.model.id)} embeddings (detector ${esc(r.model.detector)}); searches through the ${esc(r.index)} index.${thumbs.leftOut ? ` ${count(thumbs.leftOut)} faces beyond the report's bound are named without a picture.` : ''}${r.userDecisions ? ` Decisions from ${esc(r.userDecisions.file)} (sha256 ${esc(r.userDecisions.sha256.slice(0, 12))}…).` : ''}</p>`,
  });
  if (r.effect) sections.push({ title: `Effect on the numbers: ${r.effect.protocol}, before and after`, html: effectHtml(r) });
  sections.push({
    title: 'Intra-identity outliers (least like the rest of their identity first)',
    html: table(['image', 'leave-one-out similarity', 'robust z (set / identity)', 'nearest other identity', 'flag', 'decision'],
      f.outliers.ranked.slice(0, REPORT_ROWS.outliers).map((x) => [
        face(x.image.path, `${x.image.identity} (${x.identityImages} images)`),
        num(x.looSimilarity),
        `${num(x.zSet, 2)} / ${num(x.zIdentity, 2)}`,
        x.nearest ? face(x.nearest.example, `${x.nearest.unknown ? 'unknown' : x.nearest.name}: ${num(x.nearest.similarity)}`) : '–',
        x.flagged ? (x.closerToOther ? '<b>flagged</b>: closer to another identity' : '<b>flagged</b>') : 'listed',
        mark({ image: x.image.path }),
      ])) + `<p class="note">Leave-one-out: the cosine of the image to the normalised mean of its identity's other images. Record a decision with <code>frw audit decide mislabelled --dataset ${esc(r.dataset.name)} --image PATH [--label NAME]</code> (or exclude, keep).</p>`,
  });
  const pairRows = (list: AuditRecord['findings']['identityPairs']['known']) =>
    list.ranked.slice(0, REPORT_ROWS.pairs).map((p) => [
      face(p.closest.imageA, `${p.a.unknown ? 'unknown' : p.a.name} (${p.a.images})`),
      face(p.closest.imageB, `${p.b.unknown ? 'unknown' : p.b.name} (${p.b.images})`),
      num(p.templateSimilarity),
      num(p.closest.similarity),
      p.flagged ? '<b>flagged</b>' : 'listed',
      p.unknownSide ? (p.a.unknown && p.b.unknown ? '–' : mark({ image: p.a.unknown ? p.a.name : p.b.name })) : mark({ identities: [p.a.name, p.b.name] }),
    ]);
  const pairHeader = ['closest pair', '', 'template similarity', 'closest image pair', 'flag', 'decision'];
  sections.push({
    title: 'Identities that are probably the same person',
    html: table(pairHeader, pairRows(f.identityPairs.known)) + `<p class="note">Template: the normalised mean of an identity's images. Record with <code>frw audit decide same-person --dataset ${esc(r.dataset.name)} --identities A,B</code> (B's images become A's), or <code>keep</code>.</p>`,
  });
  sections.push({
    title: 'Unknown images that are probably an enrolled identity',
    html: f.groups.unknownImages === 0 ? '<p class="note">The set has no unknown images.</p>' : table(pairHeader, pairRows(f.identityPairs.unknown)) + `<p class="note">Record with <code>frw audit decide mislabelled --dataset ${esc(r.dataset.name)} --image PATH --label NAME</code>. Two unknown images alike are one stranger counted twice.</p>`,
  });
  sections.push({
    title: 'Duplicates',
    html: table(['kind', 'copies', 'similarity', 'labels'], duplicateRows(r).map((d) => [
      esc(d.kind),
      d.images.slice(0, REPORT_ROWS.groupMembers).map((i) => face(i.path, `${who(i)}${decided.has(decisionTarget({ image: i.path })) ? ` [${decided.get(decisionTarget({ image: i.path }))}]` : ''}`)).join('') + (d.images.length > REPORT_ROWS.groupMembers ? `<span class="note">and ${d.images.length - REPORT_ROWS.groupMembers} more</span>` : ''),
      d.kind === 'exact' ? 'identical bytes' : `${num(d.similarity.min)}–${num(d.similarity.max)}`,
      d.differentLabels ? '<b>different labels</b>' : 'one label',
    ])) + `<p class="note">Same-label near-duplicates (burst shots, re-crops: ${count(f.duplicates.near.filter((d) => !d.differentLabels).length)} groups) are in audit.json. Mark a copy with <code>frw audit decide duplicate --image PATH</code>.</p>`,
  });
  sections.push({
    title: 'Junk',
    html: table(['image', 'reasons', 'inter-eye distance (px)', 'yaw proxy', 'best similarity', 'decision'], f.junk.rows.slice(0, REPORT_ROWS.junk).map((j) => [
      face(j.image.path, who(j.image)),
      esc(j.reasons.join(', ') + (j.failure ? `: ${j.failure.reason}${j.failure.message ? ` (${j.failure.message})` : ''}` : '')),
      num(j.eyeDistance, 1),
      num(j.yaw, 2),
      num(j.bestSimilarity),
      mark({ image: j.image.path }),
    ])) + (f.junk.rows.length > REPORT_ROWS.junk ? `<p class="note">${count(f.junk.rows.length - REPORT_ROWS.junk)} more in audit.json.</p>` : ''),
  });
  return renderReport({
    title: `Dataset audit: ${r.dataset.name}`,
    subtitle: `${r.model.id} · manifest ${r.dataset.manifestHash.slice(0, 12)}… · fr-workbench ${r.tool.version} · ${r.createdAt}`,
    sections,
  });
}

function junkRule(reason: string, r: AuditRecord): string {
  const o = r.findings.options;
  if (reason === 'tiny-face') return `inter-eye distance < ${o.minEyeDistance} px in the original image`;
  if (reason === 'extreme-pose') return `|yaw proxy| ≥ ${o.maxYaw} (nose offset from the eye midpoint along the eye line, in half eye distances)`;
  if (reason === 'far-from-all') return `best similarity to its own identity or any other < ${num(r.findings.junk.farLevel)} (the median nearest-other-identity similarity)`;
  return 'no face was acquired (the embedding cache’s reason)';
}

function effectHtml(r: AuditRecord): string {
  const e = r.effect!;
  const a = e.applied;
  const runs: Array<[string, AuditEffectRun | null]> = [['before', e.before], ['after', e.after]];
  const targets = e.before.metrics.tarAtFmr.filter((t) => t.measurable || e.after?.metrics.tarAtFmr.find((u) => u.targetFmr === t.targetFmr)?.measurable).map((t) => t.targetFmr);
  const header = ['', 'images / identities', 'genuine / impostor', 'excluded (failure to acquire) g / i', 'EER (FVC2000)', 'EER 95% (bootstrap over identities)', ...targets.map((t) => `TAR@FMR=${sci(t)} [95% Clopper-Pearson]`)];
  const rows = runs.filter((x): x is [string, AuditEffectRun] => x[1] !== null).map(([label, run]) => {
    const m = run.metrics;
    return [
      `<b>${label}</b>`,
      `${count(run.images)} / ${count(run.identities)}`,
      `${count(m.counts.genuine)} / ${count(m.counts.impostor)}`,
      `${count(m.counts.excludedFta.genuine)} / ${count(m.counts.excludedFta.impostor)}`,
      esc(`${pct(m.eer.estimate)} (${pct(m.eer.lower)}–${pct(m.eer.upper)})`),
      esc(m.eer.bootstrap ? intervalText(m.eer.bootstrap) : (m.eer.bootstrapSkipped?.split(';')[0] ?? 'no bootstrap')),
      ...targets.map((f) => {
        const t = m.tarAtFmr.find((x) => x.targetFmr === f);
        return t?.measurable ? esc(`${pct(t.tar!)} ${t.interval ? `[${pct(t.interval.lower)}, ${pct(t.interval.upper)}]` : ''} at FMR ${sci(t.achievedFmr!)}${t.backed ? '' : ', not backed'}`) : 'not measurable';
      }),
    ];
  });
  return table(header, rows) + `<p class="note">After: the flags of ${esc(e.apply.join(', '))} acted on, as ${count(a.decisions)} decisions (${esc(e.suggestedFile)}, sha256 ${esc(e.suggestedSha256.slice(0, 12))}…): ${count(a.excludedImages)} images left out, ${count(a.relabelledImages)} relabelled, ${count(a.mergedIdentities)} identities merged into others, ${count(a.droppedPairs)} listed pairs dropped. Both runs are ordinary run folders (${esc(e.before.run)}, ${esc(e.after?.run ?? '–')}); <code>frw eval --decisions</code> with that file reproduces the second.${e.afterError ? ` The after run could not be made: ${esc(e.afterError)}` : ''} The flags come from this model's own similarities, so acting on all of them removes the very comparisons it finds hardest, mislabelled or not: the after numbers bound what correcting the labels could give, they do not measure it. Leaving out hard but correctly labelled images (extreme pose, tiny faces) flatters them further: choose what the after run acts on with <code>--apply</code>, and for numbers to report, decide the flags by looking at them and run <code>frw eval --decisions</code>.</p>`;
}

import type { ModeResult } from '../experiments/identification/evaluate.js';
import type { AcceptedStranger } from '../experiments/identification/strangers.js';
import { escapeHtml as e, htmlTable } from './html.js';
import { count, pct, sci } from './format.js';

/** Inlined thumbnails (data: URIs) by thumbnailKey; null: the crop could not be rebuilt. `leftOut`: over the bound. */
export interface Thumbnails {
  images: ReadonlyMap<string, string | null>;
  /** Each enrolled identity's first enrolment image: the photo beside "taken for". */
  enrolmentPhoto: ReadonlyMap<string, string>;
  bound: number;
  leftOut: number;
}

export const NO_THUMBNAILS: Thumbnails = { images: new Map(), enrolmentPhoto: new Map(), bound: 0, leftOut: 0 };

/** Thumbnails are per model: each model's crop of an image is the one it compared. */
export const thumbnailKey = (model: string, image: string) => `${model}\n${image}`;

const STYLE = '<style>.thumbs{display:flex;gap:4px;flex-wrap:wrap}.thumb{display:inline-flex;flex-direction:column;align-items:center;font-size:11px;color:#555;max-width:72px;overflow:hidden}.thumb img,.thumb .noimg{width:64px;height:64px;border-radius:3px}.thumb .noimg{background:#eee;display:flex;align-items:center;justify-content:center;font-size:10px;text-align:center}td.groups{vertical-align:top}</style>';

function thumb(faces: Thumbnails, model: string, image: string, caption: string): string {
  const src = faces.images.get(thumbnailKey(model, image));
  const img = src ? `<img src="${src}" alt="${e(image)}" title="${e(image)}">` : `<div class="noimg" title="${e(image)}">${src === null ? 'no face' : 'not inlined'}</div>`;
  return `<span class="thumb">${img}${e(caption)}</span>`;
}

const who = (id: string | null) => id ?? 'no identity given';

/** Rows of trusted HTML (cells already escaped). */
function table(header: string[], rows: string[][]): string {
  return `<table><thead><tr>${header.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td class="groups">${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/**
 * The strangers who got in at the first measurable FPIR target, per (model, mode): grouped by whom they were taken
 * for (with that person's first enrolment photo) and by who they really are, with thumbnails of the highest scores.
 */
export function strangersHtml(results: readonly ModeResult[], faces: Thumbnails): string {
  const parts = results.map((r) => {
    const g = r.strangers;
    const head = `<h3>${e(`${r.model} / ${r.mode}`)}</h3>`;
    if (g === undefined) {
      // Runs written before grouping existed: the plain list they recorded.
      return head + htmlTable(['stranger image', 'accepted as', 'score'], r.unknownsAccepted.slice(0, 15).map((u) => [u.image, u.matched, u.score.toFixed(4)]));
    }
    if (g === null) return `${head}<p class="note">No FPIR target is measurable with these strangers: no threshold to list them at.</p>`;
    const summary = `<p class="note">At threshold ${g.threshold.toFixed(4)} (FPIR ${sci(g.targetFpir)}): ${count(g.accepted)} of ${count(g.nonMated)} strangers got in (${pct(g.accepted / Math.max(1, g.nonMated))}).</p>`;
    if (g.accepted === 0) return head + summary;
    const examples = (list: AcceptedStranger[], caption: (s: AcceptedStranger) => string) => `<div class="thumbs">${list.map((s) => thumb(faces, r.model, s.image, caption(s))).join('')}</div>`;
    const byMatched = table(
      ['taken for (enrolment photo)', 'strangers', 'distinct people (an image without an identity counts as one)', 'highest scores'],
      g.byMatched.map((m) => {
        const photo = faces.enrolmentPhoto.get(m.matched);
        return [photo ? thumb(faces, r.model, photo, m.matched) : e(m.matched), String(m.accepted), String(m.identities), examples(m.examples, (s) => `${who(s.identity)} ${s.score.toFixed(3)}`)];
      }),
    );
    const byIdentity = table(
      ['true identity', 'images accepted', 'taken for', 'highest scores'],
      g.byIdentity.map((i) => [e(who(i.identity)), String(i.accepted), e(i.takenFor.map((t) => `${t.identity} ×${t.count}`).join(', ')), examples(i.examples, (s) => `→ ${s.matched} ${s.score.toFixed(3)}`)]),
    );
    const more = (n: number) => (n > 0 ? `<p class="note">${count(n)} more groups not listed.</p>` : '');
    return `${head}${summary}<h4>By whom they were taken for</h4>${byMatched}${more(g.leftOut.byMatched)}<h4>By their true identity</h4>${byIdentity}${more(g.leftOut.byIdentity)}`;
  });
  const bound = faces.leftOut > 0 ? `<p class="note">The report inlines at most ${faces.bound} thumbnails; ${count(faces.leftOut)} more are marked "not inlined".</p>` : '';
  return STYLE + parts.join('') + bound;
}

/** Challenge scoring per (model, mode) and rule: MAP@5, top-1 and the unknown label's precision and recall. */
export function challengeHtml(results: readonly ModeResult[]): string | null {
  const withChallenge = results.filter((r) => r.challenge);
  if (withChallenge.length === 0) return null;
  const rate = (x: number | null) => (x === null ? '–' : pct(x));
  const rows = withChallenge.flatMap((r) => {
    const c = r.challenge!;
    if ('skipped' in c) return [[r.model, r.mode, '–', '–', '–', '–', '–', '–', `not scored: ${c.skipped}`]];
    return c.results.map((x) => [
      r.model,
      r.mode,
      x.rule,
      x.scores.map5.toFixed(4),
      pct(x.scores.top1),
      `${rate(x.scores.unknown.precision)} (${count(x.scores.unknown.correct)} / ${count(x.scores.unknown.predicted)})`,
      `${rate(x.scores.unknown.recall)} (${count(x.scores.unknown.correct)} / ${count(x.scores.unknown.actual)})`,
      `${count(x.scores.images)}${x.noFace > 0 ? ` (${count(x.noFace)} without a face)` : ''}`,
      `${x.description}; t from ${x.thresholdSource}; ${x.submission}`,
    ]);
  });
  const label = withChallenge[0].challenge!.unknownLabel;
  return (
    htmlTable(['model', 'mode', 'rule', 'MAP@5', 'top-1', 'unknown precision', 'unknown recall', 'images', 'rule and submission'], rows) +
    `<p class="note">Every probe gets five labels, best first; strangers' true label is ${e(label)}. MAP@5 is the mean of 1/rank of the true label within the five (0 if absent); it is system level: a probe without a face is answered ${e(label)} first, then the four most-enrolled identities. Leaked probes (copies of a gallery image) are left out.</p>`
  );
}

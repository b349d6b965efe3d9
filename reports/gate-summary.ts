import type { GateCheck, GateResult } from '../experiments/gate.js';
import { count, intervalText, pct, ratio, sci } from './format.js';

/**
 * The release gate's outputs for CI: a Markdown summary (a job log or a step summary shows it as a table) and
 * JUnit XML (one test case per budget; CI systems list an exceeded budget as a failed test).
 */
export const VERDICT_HEADLINE = { pass: 'PASS', fail: 'FAIL: a budget is exceeded', 'cannot-back': 'CANNOT DECIDE: the data cannot back a budget' } as const;

/** The measured value and its deciding bound, as one table row's cells. */
export function checkCells(c: GateCheck): { measured: string; bound: string } {
  if (c.kind === 'rate') {
    const boot = c.upperBootstrap ? `; bootstrap ${c.upperBootstrap.upper.toExponential(3)}` : '';
    return { measured: `${count(c.errors)} / ${count(c.trials)} = ${sci(c.errors / c.trials)}`, bound: `${c.upperClopperPearson.upper.toExponential(3)} Clopper-Pearson${boot} (one-sided ${Math.round(100 * c.upper.level)}%)` };
  }
  const d = c.differential;
  return d ? { measured: `${ratio(d.estimate)} (${d.highest} / ${d.lowest})`, bound: `[${ratio(d.lower)}, ${ratio(d.upper)}] ${Math.round(100 * d.level)}% ${d.method}` } : { measured: 'not measurable', bound: '–' };
}

const verdictCell = (c: GateCheck) => `${c.verdict}${c.verdict === 'cannot-back' && c.kind === 'rate' ? `: needs ≥ ${count(c.trialsNeeded)} comparisons` : ''}`;

/** What a gate's trials are called: comparisons (verification) or probes (identification). */
export const UNITS = {
  verification: { genuine: 'genuine', impostor: 'impostor', all: 'comparisons' },
  identification: { genuine: 'mated probes', impostor: 'strangers', all: 'probes' },
} as const;

/** "1,354 genuine / 5,549 impostor comparisons", or the gallery and probes of an identification gate. */
export function sampleText(g: GateResult): string {
  const m = g.measured;
  if (m.kind === 'identification') return `gallery of ${count(m.gallery!.identities)} identities (${m.gallery!.vectors} vectors, ${m.gallery!.enrol} image(s) each, ${m.gallery!.mode} templates) · ${count(m.fnmr.trials)} mated probes / ${count(m.fmr.trials)} strangers`;
  return `${count(m.fnmr.trials)} genuine / ${count(m.fmr.trials)} impostor comparisons`;
}

export function gateMarkdown(g: GateResult): string {
  const m = g.measured;
  const lines = [
    `## frw gate: ${VERDICT_HEADLINE[g.verdict]}`,
    '',
    `Config \`${g.config.contentHash.slice(0, 16)}…\` · model ${g.config.model} (sha256 ${g.config.modelSha256.slice(0, 12)}…) · detector ${g.config.detector} · threshold similarity ≥ ${g.config.threshold} (${g.config.rule})`,
    `Dataset ${g.dataset.name} (manifest ${g.dataset.manifestHash.slice(0, 12)}…) · ${g.dataset.protocol} · ${sampleText(g)} · failures to acquire counted as no match: ${count(m.failuresToAcquire.genuine)} ${UNITS[m.kind].genuine}, ${count(m.failuresToAcquire.impostor)} ${UNITS[m.kind].impostor}`,
    '',
    '| budget | measured | upper bound | budget value | verdict |',
    '|---|---|---|---|---|',
    ...g.checks.map((c) => {
      const cells = checkCells(c);
      return `| ${c.name} | ${cells.measured} | ${cells.bound} | ${c.budget} | ${verdictCell(c)} |`;
    }),
    '',
    `Measured (two-sided): ${m.fmr.rate} ${sci(m.fmr.clopperPearson.estimate)} ${intervalText(m.fmr.clopperPearson, sci)}${m.fmr.bootstrap ? `, ${intervalText(m.fmr.bootstrap, sci)}` : ''}; ${m.fnmr.rate} ${pct(m.fnmr.clopperPearson.estimate)} ${intervalText(m.fnmr.clopperPearson)}${m.fnmr.bootstrap ? `, ${intervalText(m.fnmr.bootstrap)}` : ''}.`,
    `These ${UNITS[m.kind].all} can back, with no error at all, an ${m.fmr.rate} down to ${sci(m.fmr.lowestBackable)} and an ${m.fnmr.rate} down to ${sci(m.fnmr.lowestBackable)} (one-sided ${Math.round(100 * m.level)}%).`,
    g.promised ? `Promised by the config: ${m.fmr.rate} ${sci(g.promised.fmr.estimate)} ${intervalText(g.promised.fmr, sci)}; ${m.fnmr.rate} ${pct(g.promised.fnmr.estimate)} ${intervalText(g.promised.fnmr)}.` : '',
    '',
  ];
  return lines.join('\n');
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function gateJunit(g: GateResult): string {
  const failures = g.checks.filter((c) => c.verdict === 'fail').length;
  const errors = g.checks.filter((c) => c.verdict === 'cannot-back').length;
  const cases = g.checks.map((c) => {
    const name = xml(`${c.name} <= ${c.budget} on ${g.dataset.name}`);
    const body = c.verdict === 'fail' ? `<failure message="${xml(c.message)}"/>` : c.verdict === 'cannot-back' ? `<error message="${xml(c.message)}"/>` : `<system-out>${xml(c.message)}</system-out>`;
    return `    <testcase classname="frw.gate.${xml(g.config.model)}" name="${name}">${body}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="frw gate" tests="${g.checks.length}" failures="${failures}" errors="${errors}">`,
    `  <testsuite name="${xml(`frw gate ${g.config.model} @ ${g.config.threshold}`)}" tests="${g.checks.length}" failures="${failures}" errors="${errors}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

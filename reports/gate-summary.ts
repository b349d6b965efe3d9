import type { GateResult } from '../experiments/gate.js';
import { count, intervalText, pct, sci } from './format.js';

/**
 * The release gate's outputs for CI: a Markdown summary (a job log or a step summary shows it as a table) and
 * JUnit XML (one test case per budget; CI systems list an exceeded budget as a failed test).
 */
export function gateMarkdown(g: GateResult): string {
  const head = { pass: 'PASS', fail: 'FAIL: a budget is exceeded', 'cannot-back': 'CANNOT DECIDE: the data cannot back a budget' }[g.verdict];
  const lines = [
    `## frw gate: ${head}`,
    '',
    `Config \`${g.config.contentHash.slice(0, 16)}…\` · model ${g.config.model} (sha256 ${g.config.modelSha256.slice(0, 12)}…) · detector ${g.config.detector} · threshold similarity ≥ ${g.config.threshold} (${g.config.rule})`,
    `Dataset ${g.dataset.name} (manifest ${g.dataset.manifestHash.slice(0, 12)}…) · ${g.dataset.protocol} · ${count(g.measured.genuine)} genuine / ${count(g.measured.impostor)} impostor comparisons · failures to acquire counted as no match: ${g.measured.excludedFta.genuine} genuine, ${g.measured.excludedFta.impostor} impostor`,
    '',
    '| rate | errors / comparisons | estimate | one-sided upper bound | budget | verdict |',
    '|---|---|---|---|---|---|',
    ...g.checks.map((c) => `| ${c.rate} | ${count(c.errors)} / ${count(c.trials)} | ${sci(c.errors / c.trials)} | ${c.upper.upper.toExponential(3)} (${Math.round(100 * c.upper.level)}%) | ${c.budget} | ${c.verdict}${c.verdict === 'cannot-back' ? `: needs ≥ ${count(c.trialsNeeded)} comparisons` : ''} |`),
    '',
    `Measured (two-sided): FMR ${sci(g.measured.fmr.estimate)} ${intervalText(g.measured.fmr, sci)}; FNMR ${pct(g.measured.fnmr.estimate)} ${intervalText(g.measured.fnmr)}.`,
    g.promised ? `Promised by the config: FMR ${sci(g.promised.fmr.estimate)} ${intervalText(g.promised.fmr, sci)}; FNMR ${pct(g.promised.fnmr.estimate)} ${intervalText(g.promised.fnmr)}.` : '',
    '',
  ];
  return lines.join('\n');
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function gateJunit(g: GateResult): string {
  const failures = g.checks.filter((c) => c.verdict === 'fail').length;
  const errors = g.checks.filter((c) => c.verdict === 'cannot-back').length;
  const cases = g.checks.map((c) => {
    const name = xml(`${c.rate} <= ${c.budget} on ${g.dataset.name}`);
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

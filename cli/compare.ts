import type { Command } from 'commander';
import { FrwError } from '../core/errors.js';
import { bytes, count, intervalText, pct, sci } from '../reports/format.js';
import { compareRuns, type CompareResult, type IdentificationRow, type VerificationRow } from '../usecases/compare.js';
import type { PairedSummary } from '../usecases/compare.js';
import { action, configOf } from './context.js';

interface CompareFlags {
  pair?: string;
  rule?: string;
  replicates: string;
  seed: string;
  json: boolean;
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('line up the models of one or more runs scored on the same comparisons, with paired tests (refused, with the reason, when the runs are not like for like)')
    .argument('<runs...>', 'run ids under the workspace\'s runs folder, or run folder paths')
    .option('--pair <a,b>', 'paired tests of these two rows only (labels as in the table), instead of every pair')
    .option('--rule <rule>', 'McNemar\'s decision rule: ten-fold | fmr=<f> | eer | fpir=<h> (default: ten-fold for lfw-10fold, else the smallest measurable target)')
    .option('--replicates <n>', 'paired bootstrap replicates over identities', '1000')
    .option('--seed <n>', 'seed of the paired bootstrap', '1')
    .option('--json', 'print the comparison as JSON', false)
    .action(
      action(async (refs: string[], flags: CompareFlags, self: Command) => {
        const int = (v: string, what: string, min: number) => {
          const n = Number(v);
          if (!Number.isInteger(n) || n < min) throw new FrwError('BAD_INPUT', `${what} must be an integer >= ${min}, got "${v}"`);
          return n;
        };
        let pair: [string, string] | undefined;
        if (flags.pair !== undefined) {
          const p = flags.pair.split(',').map((s) => s.trim());
          if (p.length !== 2 || !p[0] || !p[1]) throw new FrwError('BAD_INPUT', `--pair takes two row labels separated by a comma, got "${flags.pair}"`);
          pair = [p[0], p[1]];
        }
        const result = await compareRuns(configOf(self), { runs: refs, pair, rule: flags.rule, replicates: int(flags.replicates, '--replicates', 1), seed: int(flags.seed, '--seed', 0) });
        process.stdout.write(flags.json ? JSON.stringify(result, null, 2) + '\n' : compareText(result));
      }),
    );
}

/** Columns padded to their widest cell; the first column left-aligned, as the other tables of the CLI. */
function table(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => '  ' + r.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd();
  return [line(header), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n') + '\n';
}

const big = (n: number | null | undefined) => (n === null || n === undefined ? '–' : n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(n));

function speedText(r: VerificationRow | IdentificationRow): string {
  if (!r.speed) return r.speedNote ?? 'not measured';
  const s = r.speed;
  return `${s.msPerFace.toFixed(2)} ms/face (${s.runtime ?? 'runtime unrecorded'}, ${s.sessionThreads} thread × ${s.workers} workers, ${s.dataset}, ${s.measuredAt.slice(0, 10)}, ${s.source})`;
}

function factsTable(rows: Array<VerificationRow | IdentificationRow>): string {
  const out = table(
    ['model', 'pipeline', 'embedding speed', 'parameters', 'multiply-adds', 'file size', 'dim', 'licence'],
    rows.map((r) => [r.label, r.pipeline ? `${r.pipeline.detector}${r.pipeline.flip ? ', flip' : ''}` : 'fused', speedText(r), r.facts.cost ? big(r.facts.cost.parameters) : 'not counted', r.facts.cost ? (r.facts.cost.multiplyAdds === null ? 'not counted' : big(r.facts.cost.multiplyAdds)) : 'not counted', r.facts.bytes === null ? '–' : bytes(r.facts.bytes), r.facts.dim === null ? '–' : String(r.facts.dim), r.facts.licence ?? '–']),
  );
  // Said once per model: the same model in two runs has the same card and file.
  const notes = rows.flatMap((r) => [r.facts.note, r.facts.costNote, r.facts.cost?.method ? `counted: ${r.facts.cost.method}` : null].filter((x): x is string => Boolean(x)).map((n) => `  ${r.model}: ${n}`));
  const speed = rows.find((r) => r.speed)?.speed;
  const machine = speed ? [`  speed: the embedding stage alone (preprocessing, inference${rows.some((r) => r.pipeline?.flip) ? ', flip' : ''}) per face in one single-threaded session, measured on ${speed.machine.cpu} (${speed.machine.cores} cores) when the embeddings were computed`] : [];
  return out + [...new Set(notes)].concat(machine).join('\n') + (notes.length || machine.length ? '\n' : '');
}

function verificationText(r: CompareResult & { kind: 'eval' }): string {
  const eer = (row: VerificationRow) => `${pct(row.eer.estimate)} [${pct(row.eer.lower)}, ${pct(row.eer.upper)}] ${row.eer.method}${row.eer.bootstrap ? `; ${intervalText(row.eer.bootstrap)}` : ''}`;
  let out = table(
    ['model', 'LFW 10-fold', 'AUC', 'EER'],
    r.rows.map((row) => [row.label, row.tenFold ? `${pct(row.tenFold.mean)} ± ${pct(row.tenFold.std)}` : '– (no folds)', row.auc.toFixed(5), eer(row)]),
  );
  out += '\n  TAR@FMR (Clopper-Pearson; "backed": the one-sided upper bound of the achieved FMR is within the target)\n';
  for (const row of r.rows) {
    const parts = row.tarAtFmr.map((t) => `${sci(t.targetFmr)}: ${t.measurable ? `${pct(t.tar!)} ${intervalText(t.interval)}, ${t.backed ? 'backed' : `not backed (it takes ${count(t.impostorsToBack)} impostor comparisons)`}` : `not measurable (FMR ≥ ${sci(t.smallestMeasurableFmr)})`}`);
    out += `  ${row.label}\n${parts.map((p) => `    ${p}`).join('\n')}\n`;
  }
  return out;
}

function identificationText(r: CompareResult & { kind: 'identify' }): string {
  const fnir = (row: IdentificationRow) => row.fnirAtFpir.map((p) => `${p.targetFpir}: ${p.measurable ? `${pct(p.fnir)} ${intervalText(p.fnirInterval)}, ${p.backed ? 'backed' : 'not backed'}` : `not measurable (FPIR ≥ ${sci(p.smallestMeasurableFpir)})`}`);
  let out = table(['model/mode', 'rank-1', 'gallery'], r.rows.map((row) => [row.label, `${pct(row.rank1.estimate)} ${intervalText(row.rank1.interval)}`, `${count(row.gallery.identities)} identities / ${count(row.gallery.vectors)} vectors`]));
  out += '\n  FNIR@FPIR (Clopper-Pearson; "backed": the one-sided upper bound of FPIR is within the target)\n';
  for (const row of r.rows) out += `  ${row.label}\n${fnir(row).map((p) => `    ${p}`).join('\n')}\n`;
  return out;
}

function pairedText(p: PairedSummary, level: number): string {
  let out = `\n  ${p.a} against ${p.b}: ${count(p.comparisons)} comparisons both scored${p.excludedFta ? ` (${count(p.excludedFta)} left out: a failure to acquire in either)` : ''}\n`;
  if (p.mcnemar) {
    const m = p.mcnemar;
    out += `    McNemar: only ${p.a} right ${m.onlyA}, only ${p.b} right ${m.onlyB}, both right ${m.bothCorrect}, both wrong ${m.bothWrong}; exact p = ${m.pValue.toPrecision(3)}\n`;
  }
  for (const d of p.deltas) {
    if (!d.result) continue;
    const r = d.result;
    const f = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)} pt`;
    out += `    Δ${d.statistic} (${p.a} − ${p.b}): ${f(r.difference.estimate)} [${f(r.difference.lower)}, ${f(r.difference.upper)}] ${Math.round(100 * level)}% ${r.difference.method}${r.difference.failed ? `; ${r.difference.failed} replicates failed: ${r.difference.failures[0]?.message}` : ''}\n`;
  }
  const skipped = p.deltas.filter((d) => !d.result);
  for (const why of new Set(skipped.map((d) => d.unavailable))) out += `    not computed: ${skipped.filter((d) => d.unavailable === why).map((d) => `Δ${d.statistic}`).join(', ')}: ${why}\n`;
  return out + p.summary.map((s) => `    → ${s}\n`).join('');
}

/** The comparison as text: what made the runs comparable, the rows, the model facts, then the paired tests. */
export function compareText(r: CompareResult): string {
  let out = `\nlike for like: ${r.basis}\n\n`;
  out += r.kind === 'eval' ? verificationText(r) : identificationText(r);
  out += `\n${factsTable(r.rows)}`;
  out += `\npaired tests (decision rule ${r.rule.text}: ${r.rule.description})\n`;
  if (r.pairedNote) out += `  ${r.pairedNote}\n`;
  for (const p of r.paired) out += pairedText(p, r.options.level);
  if (!r.pairedNote && r.paired.length === 0) out += '  one row: nothing to pair\n';
  out += `\n"A beats B" only when the interval of the difference excludes 0 (or McNemar's p < ${(1 - r.options.level).toFixed(2)}); otherwise no difference is backed by this data.\n`;
  return out;
}

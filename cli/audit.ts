import path from 'node:path';
import type { Command } from 'commander';
import { listOf, oneOf } from '../core/choice.js';
import { FrwError } from '../core/errors.js';
import { openDataset } from '../datasets/resolve.js';
import { DEFAULT_AUDIT_OPTIONS, FLAG_KINDS, type AuditOptions } from '../experiments/audit/audit.js';
import { DECISION_KINDS, type Decision } from '../experiments/audit/decisions.js';
import { DEFAULT_FMR_TARGETS, DEFAULT_RULES } from '../experiments/evaluate.js';
import { defaultProtocol, PROTOCOLS } from '../experiments/protocols.js';
import { count, pct } from '../reports/format.js';
import type { AuditRecord } from '../runs/audit-folder.js';
import { INDEX_KINDS } from '../search/indexes.js';
import { auditToFolder } from '../usecases/audit.js';
import { decisionsPath, recordDecisions } from '../usecases/audit-decisions.js';
import { runId } from '../usecases/deps.js';
import { action, configOf } from './context.js';
import { addDatasetOptions, datasetOptionsOf, type DatasetFlags } from './dataset.js';
import { addPipelineOptions, pipelineSpecs, type PipelineFlags } from './pipeline-options.js';
import { progressHooks } from './progress.js';

interface AuditFlags extends PipelineFlags, DatasetFlags {
  dataset: string;
  out?: string;
  index: string;
  z: string;
  nearDuplicate: string;
  minEyeDistance: string;
  maxYaw: string;
  top: string;
  protocol?: string;
  impostorSample?: string;
  seed: string;
  bootstrap: string;
  apply: string;
  effect: boolean;
  decisions?: string;
  json: boolean;
}

interface DecideFlags extends DatasetFlags {
  dataset: string;
  image?: string;
  identities?: string;
  label?: string;
  note?: string;
  decisions?: string;
}

function number(v: string, what: string, ok: (n: number) => boolean, rule: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || !ok(n)) throw new FrwError('BAD_INPUT', `${what} must be ${rule}, got "${v}"`);
  return n;
}

export function registerAudit(program: Command): void {
  // `frw audit --dataset …` runs the default subcommand; its options are its own, so `frw audit decide --dataset …`
  // reaches decide (options on `audit` itself would be taken from wherever they stand on the line).
  const audit = program.command('audit').description('dataset audit: `frw audit [run] --dataset … --model …`, `frw audit decide <kind> …`');
  const cmd = audit.command('run', { isDefault: true }).description('audit a dataset\'s labels and images with one model: outliers, duplicates, one person under two names, junk; and their effect on the numbers');
  addDatasetOptions(cmd.requiredOption('--dataset <name|path>', 'dataset name under the data root, or a path'));
  addPipelineOptions(cmd)
    .option('--out <dir>', 'audit folder (default: <workspace>/audit/<dataset>/audit-<time>)')
    .option('--index <kind>', `search index: ${INDEX_KINDS.join(', ')}`, 'flat')
    .option('--z <z>', 'robust z at or below −z flags an outlier', String(DEFAULT_AUDIT_OPTIONS.zCut))
    .option('--near-duplicate <s>', 'embedding similarity from which two different files are near-duplicates', String(DEFAULT_AUDIT_OPTIONS.nearDuplicate))
    .option('--min-eye-distance <px>', 'faces whose eyes are closer than this (original pixels) are tiny', String(DEFAULT_AUDIT_OPTIONS.minEyeDistance))
    .option('--max-yaw <r>', '|yaw proxy| from which a pose is extreme (1: the nose over an eye)', String(DEFAULT_AUDIT_OPTIONS.maxYaw))
    .option('--top <n>', 'rows listed per finding beyond the flagged ones', String(DEFAULT_AUDIT_OPTIONS.top))
    .option('--protocol <name>', `before/after protocol: ${PROTOCOLS.join(' | ')} (default as frw eval's)`)
    .option('--impostor-sample <n>', 'all-pairs: a seeded uniform sample of this many impostor pairs')
    .option('--seed <n>', 'seed for impostor sampling and the bootstrap', '1')
    .option('--bootstrap <n>', 'bootstrap replicates over identities (0 to skip)', '200')
    .option('--apply <kinds>', `what the "after" run acts on: ${FLAG_KINDS.join(', ')}`, FLAG_KINDS.join(','))
    .option('--no-effect', 'audit only: skip the before/after evaluation')
    .option('--decisions <file>', 'the decisions to mark in the report (default: <workspace>/audit/<dataset>/decisions.json, if any)')
    .option('--json', 'print audit.json to stdout', false);
  cmd.action(
    action(async (flags: AuditFlags, self: Command) => {
      const cfg = configOf(self);
      const [pipeline] = pipelineSpecs(flags, cfg);
      const options: AuditOptions = {
        ...DEFAULT_AUDIT_OPTIONS,
        zCut: number(flags.z, '--z', (n) => n > 0, 'a positive number'),
        nearDuplicate: number(flags.nearDuplicate, '--near-duplicate', (n) => n > 0 && n <= 1, 'in (0, 1]'),
        minEyeDistance: number(flags.minEyeDistance, '--min-eye-distance', (n) => n >= 0, 'a number ≥ 0'),
        maxYaw: number(flags.maxYaw, '--max-yaw', (n) => n > 0, 'a positive number'),
        top: number(flags.top, '--top', (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0'),
      };
      const index = oneOf(INDEX_KINDS, flags.index, '--index');
      const manifest = await openDataset(flags.dataset, cfg, datasetOptionsOf(flags));
      const seed = number(flags.seed, '--seed', (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0');
      const effect = flags.effect
        ? {
            protocol: flags.protocol === undefined ? defaultProtocol(manifest) : oneOf(PROTOCOLS, flags.protocol, '--protocol'),
            apply: listOf(FLAG_KINDS, flags.apply, '--apply'),
            seed,
            impostorSample: flags.impostorSample === undefined ? undefined : number(flags.impostorSample, '--impostor-sample', (n) => Number.isInteger(n) && n >= 1, 'an integer ≥ 1'),
            evaluation: { fmrTargets: DEFAULT_FMR_TARGETS, rules: DEFAULT_RULES, seed, bootstrap: number(flags.bootstrap, '--bootstrap', (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0'), level: 0.95, view: 'similarity' as const },
          }
        : null;
      const out = flags.out ?? path.join(path.dirname(decisionsPath(cfg, manifest.name)), runId('audit', pipeline.embedder.id));
      const { record } = await auditToFolder(cfg, { manifest, pipeline, options, index, effect, out, decisionsFile: flags.decisions }, progressHooks());
      process.stdout.write(flags.json ? JSON.stringify(record, null, 2) + '\n' : auditSummary(record, out));
    }),
  );

  const decide = audit
    .command('decide <kind>')
    .description(`record a decision about a flag (${DECISION_KINDS.join(', ')}) in the dataset's decisions file; runs apply it with --decisions`)
    .requiredOption('--dataset <name|path>', 'the dataset decided about')
    .option('--image <path>', 'the image (dataset-relative path, as the audit lists it)')
    .option('--identities <a,b>', 'two identities (same-person: the second becomes the first)')
    .option('--label <identity>', 'mislabelled: the identity the image belongs to')
    .option('--note <text>', 'why')
    .option('--decisions <file>', 'decisions file (default: <workspace>/audit/<dataset>/decisions.json)');
  addDatasetOptions(decide);
  decide.action(
    action(async (kind: string, flags: DecideFlags, self: Command) => {
      const cfg = configOf(self);
      const manifest = await openDataset(flags.dataset, cfg, datasetOptionsOf(flags));
      const ids = flags.identities?.split(',').map((s) => s.trim());
      if (ids && ids.length !== 2) throw new FrwError('BAD_INPUT', `--identities names two identities, comma-separated; got "${flags.identities}"`);
      const d: Omit<Decision, 'decidedAt'> = { kind: oneOf(DECISION_KINDS, kind, 'decision'), image: flags.image, identities: ids as [string, string] | undefined, label: flags.label, note: flags.note };
      // Checked against the data now, not at the next run: a typo in a path is caught where it was made.
      if (d.image !== undefined && !manifest.images.some((r) => r.path === d.image)) throw new FrwError('NOT_FOUND', `${manifest.name} has no image ${d.image}`);
      for (const id of ids ?? []) if (!manifest.identities.some((s) => s.name === id)) throw new FrwError('NOT_FOUND', `${manifest.name} has no identity ${id}`);
      const file = path.resolve(flags.decisions ?? decisionsPath(cfg, manifest.name));
      const clean = Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) as Omit<Decision, 'decidedAt'>;
      const { content, sha256 } = recordDecisions(file, manifest.name, [clean]);
      process.stdout.write(`${file}: ${content.decisions.length} decisions (sha256 ${sha256.slice(0, 12)}…); apply them with frw eval --decisions ${file}\n`);
    }),
  );
}

function auditSummary(r: AuditRecord, out: string): string {
  const f = r.findings;
  const lines = [`${r.dataset.name}: ${count(f.images)} images, ${count(f.embedded)} embedded · ${r.model.id}`];
  lines.push(`outliers flagged ${count(f.outliers.flaggedCount)} (robust z ≤ −${f.options.zCut} of leave-one-out similarity; median ${f.outliers.setScale.median.toFixed(3)})`);
  for (const o of f.outliers.ranked.filter((x) => x.flagged).slice(0, 5)) lines.push(`  ${o.image.path}  ${o.looSimilarity.toFixed(3)}  nearest other: ${o.nearest ? `${o.nearest.name} ${o.nearest.similarity.toFixed(3)}` : '–'}`);
  for (const [what, list] of [['identity pairs (one person, two names)', f.identityPairs.known], ['unknowns matching an identity', f.identityPairs.unknown]] as const) {
    lines.push(`${what} flagged ${count(list.flaggedCount)} (templates ≥ ${f.identityPairs.level.toFixed(3)})`);
    for (const p of list.ranked.filter((x) => x.flagged).slice(0, 5)) lines.push(`  ${p.a.name} ~ ${p.b.name}  template ${p.templateSimilarity.toFixed(3)}, closest pair ${p.closest.similarity.toFixed(3)}`);
  }
  const diff = (l: typeof f.duplicates.exact) => l.filter((d) => d.differentLabels).length;
  lines.push(`duplicates: exact ${count(f.duplicates.exact.length)} groups (${count(diff(f.duplicates.exact))} under different labels), near ${count(f.duplicates.near.length)} (${count(diff(f.duplicates.near))} under different labels)`);
  lines.push(`junk: ${Object.entries(f.junk.byReason).map(([k, n]) => `${k} ${count(n)}`).join(', ')}`);
  if (r.effect) {
    const row = (label: string, m: NonNullable<AuditRecord['effect']>['before']['metrics'] | undefined) => (m ? `  ${label.padEnd(7)} EER ${pct(m.eer.estimate)}${m.eer.bootstrap ? ` [${pct(m.eer.bootstrap.lower)}, ${pct(m.eer.bootstrap.upper)}]` : ''} · ${count(m.counts.genuine)} genuine / ${count(m.counts.impostor)} impostor` : `  ${label.padEnd(7)} ${r.effect!.afterError}`);
    lines.push(`effect (${r.effect.protocol}, acting on ${r.effect.apply.join(', ')}):`, row('before', r.effect.before.metrics), row('after', r.effect.after?.metrics));
  }
  lines.push(`audit folder ${out} (audit.json, report.html${r.effect ? ', suggested-decisions.json, before/, after/' : ''})`, '');
  return lines.join('\n');
}

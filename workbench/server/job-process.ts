/**
 * One workbench job in its own process: the HTTP thread only starts it, relays its events and cancels it, so every
 * route stays responsive however long (or however tight a loop) the job computes. Messages: JobCommand in,
 * JobMessage out (job-protocol.ts). The run folder is written by the same use cases the CLI calls.
 */
import path from 'node:path';
import { errorMessage, FrwError } from '../../core/errors.js';
import { createIndexFactory } from '../../search/indexes.js';
import { decisionReportToFolder } from '../../usecases/decision-report.js';
import { evaluateToFolder } from '../../usecases/evaluate.js';
import { identifyToFolder } from '../../usecases/identify.js';
import type { RunHooks } from '../../usecases/deps.js';
import type { JobCommand, JobMessage, JobRequest } from './job-protocol.js';

const send = (m: JobMessage, then?: () => void) => process.send!(m, undefined, {}, () => then?.());
const controller = new AbortController();
let finished = false;

async function run(cmd: Extract<JobCommand, { type: 'start' }>): Promise<Record<string, unknown>> {
  const hooks: RunHooks = {
    signal: controller.signal,
    onStage: (message) => send({ type: 'stage', message }),
    onEmbedProgress: (model, p) => send({ type: 'progress', data: { model, ...p } }),
  };
  const req: JobRequest = cmd.request;
  if (req.kind === 'report') {
    const folder = await decisionReportToFolder(cmd.cfg, req.gate, req.out, req.producedBy, hooks);
    return { reportId: path.basename(req.out), ...folder };
  }
  if (req.kind === 'eval') {
    const { runId, result } = await evaluateToFolder(cmd.cfg, { manifest: req.manifest, spec: req.spec, out: req.out }, hooks);
    return { runId, models: result.metrics.map((m) => ({ model: m.model, auc: m.auc, eer: m.eer.estimate, tenFold: m.tenFold?.mean ?? null })) };
  }
  const index = { kind: req.spec.index, make: await createIndexFactory(req.spec.index) };
  const { runId, run } = await identifyToFolder(cmd.cfg, { manifest: req.manifest, spec: { ...req.spec, index }, out: req.out }, hooks);
  return { runId, results: run.results.map((x) => ({ model: x.model, mode: x.mode, rank1: x.rank1.estimate })) };
}

// The server went away (killed, crashed): stop at once rather than compute for nobody while holding the cache's
// write lock. What was embedded is durable; the unfinished run folder is left for the next server to ignore.
process.on('disconnect', () => finished || process.exit(1));

process.on('message', (cmd: JobCommand) => {
  if (cmd.type === 'cancel') {
    controller.abort();
    return;
  }
  // The process ends once its last message is handed over (native sessions and threads need not wind down).
  const last = (m: JobMessage) => {
    finished = true;
    send(m, () => process.exit(m.type === 'done' ? 0 : 1));
  };
  run(cmd).then(
    (result) => last({ type: 'done', result }),
    (e) => last({ type: 'failed', code: controller.signal.aborted ? 'CANCELLED' : e instanceof FrwError ? e.code : 'INTERNAL', message: errorMessage(e) }),
  );
});
send({ type: 'ready' });

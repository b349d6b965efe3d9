import type { FrwConfig } from '../../core/config.js';
import { FrwError, type ErrorCode } from '../../core/errors.js';
import { moduleUrl, startThread } from '../../core/spawn.js';
import type { CompareRequest, CompareResult } from '../../usecases/compare.js';

const THREAD_URL = moduleUrl('compare-thread', import.meta.url);

/** Run folders at most compared at once, paired-bootstrap replicates at most, and seconds a user may be kept waiting. */
export const COMPARE_LIMITS = { runs: 8, replicates: 10_000, seconds: 120 };

type Reply = { ok: true; result: CompareResult } | { ok: false; code: ErrorCode; message: string; details?: Record<string, unknown> };

/**
 * One comparison in its own worker thread (compare-thread.ts); its errors come back as the FrwErrors they were.
 * The thread is stopped when `signal` aborts (the client left) or after COMPARE_LIMITS.seconds, so abandoned or
 * oversized comparisons do not pile up.
 */
export function compareInThread(cfg: FrwConfig, request: CompareRequest, signal?: AbortSignal): Promise<CompareResult> {
  if (request.runs.length > COMPARE_LIMITS.runs) throw new FrwError('BAD_INPUT', `compare at most ${COMPARE_LIMITS.runs} runs at once, got ${request.runs.length}`, { field: 'runs' });
  return new Promise<CompareResult>((resolve, reject) => {
    const worker = startThread(THREAD_URL, { cfg, request });
    let answered = false;
    const stop = (e: FrwError) => {
      if (answered) return;
      answered = true;
      void worker.terminate();
      reject(e);
    };
    const timer = setTimeout(() => stop(new FrwError('TOO_LARGE', `the comparison took longer than ${COMPARE_LIMITS.seconds} s; compare fewer rows (?pair=) or ask for fewer replicates`)), COMPARE_LIMITS.seconds * 1000);
    signal?.addEventListener('abort', () => stop(new FrwError('CANCELLED', 'the client left before the comparison finished')), { once: true });
    worker.once('exit', () => clearTimeout(timer));
    worker.once('message', (m: Reply) => {
      if (answered) return;
      answered = true;
      void worker.terminate();
      if (m.ok) resolve(m.result);
      else reject(new FrwError(m.code, m.message, m.details));
    });
    worker.once('error', (e) => ((answered = true), void worker.terminate(), reject(new FrwError('INTERNAL', `the comparison thread failed: ${e.message}`))));
    // A thread that ends without answering (out of memory, killed) must not leave its request waiting.
    worker.once('exit', (code) => answered || reject(new FrwError('INTERNAL', `the comparison thread ended (code ${code}) without an answer`)));
  });
}

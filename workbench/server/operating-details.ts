import type { Worker } from 'node:worker_threads';
import { FrwError, type ErrorCode } from '../../core/errors.js';
import { moduleUrl, startThread } from '../../core/spawn.js';
import type { OperatingDetail, OperatingDetailInput } from '../../experiments/operating-detail.js';

/** Above this many comparisons × replicates the explorer says to build a decision report (a job) instead. */
export const DETAIL_WORK_LIMIT = 5e8;

const THREAD_URL = moduleUrl('detail-thread', import.meta.url);

/**
 * The explorer's bootstrap and group differentials, one at a time in a worker thread: a newer request ends the
 * older one's thread (a drag sends many; only the last is wanted), whose caller gets CONFLICT.
 */
export class OperatingDetails {
  private current: { worker: Worker; reject: (e: Error) => void } | null = null;

  compute(input: OperatingDetailInput): Promise<OperatingDetail> {
    if (input.replicates * input.score.length > DETAIL_WORK_LIMIT) {
      throw new FrwError('BAD_INPUT', `${input.score.length.toLocaleString('en')} comparisons × ${input.replicates} replicates is more than the explorer resamples while you wait; build a decision report from Export (a job) for these intervals`, { field: 'replicates' });
    }
    this.supersede();
    return new Promise<OperatingDetail>((resolve, reject) => {
      const worker = startThread(THREAD_URL, input);
      const mine = { worker, reject };
      this.current = mine;
      const done = () => {
        if (this.current === mine) this.current = null;
        void worker.terminate();
      };
      worker.once('message', (m: { ok: true; detail: OperatingDetail } | { ok: false; code: ErrorCode; message: string }) => {
        done();
        if (m.ok) resolve(m.detail);
        else reject(new FrwError(m.code, m.message));
      });
      worker.once('error', (e) => (done(), reject(new FrwError('INTERNAL', `the bootstrap thread failed: ${e.message}`))));
      // A thread that ends without answering (killed, out of memory) must not leave its request waiting.
      worker.once('exit', (code) => (done(), reject(new FrwError('INTERNAL', `the bootstrap thread ended (code ${code}) without an answer`))));
    });
  }

  /** End what is running (a newer request, or the server closing). */
  supersede(): void {
    const c = this.current;
    if (!c) return;
    this.current = null;
    c.reject(new FrwError('CONFLICT', 'superseded by a newer request for this explorer'));
    void c.worker.terminate();
  }
}

import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { FrwError, errorMessage } from '../../core/errors.js';

/**
 * Long-running work (evaluations) started from the browser: one job at a time per kind of machine budget, progress
 * as events a server-sent-events stream replays from the start, cancellation through an AbortSignal.
 */
export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface JobEvent {
  seq: number;
  type: 'stage' | 'progress' | 'done' | 'failed' | 'cancelled';
  data: Record<string, unknown>;
}

export interface Job {
  id: string;
  kind: string;
  status: JobStatus;
  startedAt: string;
  params: Record<string, unknown>;
  events: JobEvent[];
  result: Record<string, unknown> | null;
}

export type JobWork = (ctx: { signal: AbortSignal; emit: (type: 'stage' | 'progress', data: Record<string, unknown>) => void }) => Promise<Record<string, unknown>>;

export class JobRunner {
  private readonly jobs = new Map<string, Job & { controller: AbortController }>();
  private readonly bus = new EventEmitter();

  start(kind: string, params: Record<string, unknown>, work: JobWork): Job {
    if ([...this.jobs.values()].some((j) => j.status === 'running')) {
      throw new FrwError('CONFLICT', 'a job is already running on this machine; wait for it or cancel it');
    }
    const job = { id: crypto.randomUUID(), kind, status: 'running' as JobStatus, startedAt: new Date().toISOString(), params, events: [] as JobEvent[], result: null as Record<string, unknown> | null, controller: new AbortController() };
    this.jobs.set(job.id, job);
    const push = (type: JobEvent['type'], data: Record<string, unknown>) => {
      const e = { seq: job.events.length, type, data };
      job.events.push(e);
      this.bus.emit(job.id, e);
    };
    work({ signal: job.controller.signal, emit: push })
      .then((result) => {
        job.result = result;
        job.status = 'done';
        push('done', result);
      })
      .catch((e) => {
        const cancelled = job.controller.signal.aborted;
        job.status = cancelled ? 'cancelled' : 'failed';
        push(cancelled ? 'cancelled' : 'failed', { message: errorMessage(e), code: (e as FrwError).code ?? 'INTERNAL' });
      });
    return this.view(job);
  }

  get(id: string): Job {
    const j = this.jobs.get(id);
    if (!j) throw new FrwError('NOT_FOUND', `no job ${id}`);
    return this.view(j);
  }

  list(): Job[] {
    return [...this.jobs.values()].map((j) => this.view(j));
  }

  cancel(id: string): Job {
    const j = this.jobs.get(id);
    if (!j) throw new FrwError('NOT_FOUND', `no job ${id}`);
    if (j.status === 'running') j.controller.abort();
    return this.view(j);
  }

  /** Every event so far, then each new one, until the job ends; returns an unsubscribe function. */
  subscribe(id: string, onEvent: (e: JobEvent) => void): () => void {
    const j = this.jobs.get(id);
    if (!j) throw new FrwError('NOT_FOUND', `no job ${id}`);
    for (const e of j.events) onEvent(e);
    if (j.status !== 'running') return () => undefined;
    this.bus.on(id, onEvent);
    return () => this.bus.off(id, onEvent);
  }

  private view(j: Job & { controller?: AbortController }): Job {
    const { controller: _c, ...rest } = j;
    return { ...rest, events: [...rest.events] };
  }
}

import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import type { FrwConfig } from '../../core/config.js';
import { FrwError } from '../../core/errors.js';
import { moduleUrl, startProcess } from '../../core/spawn.js';
import type { JobMessage, JobRequest } from './job-protocol.js';

/**
 * Long-running work (evaluations, identification) started from the browser. Each job runs in its own process
 * (job-process.ts), so the HTTP thread stays free: progress, the job list and Cancel answer while a job computes.
 * One job at a time (the machine's cores are the budget). Events are kept, so a server-sent-events stream replays
 * a job from its start. Cancel asks the job to stop at its next check and kills its process if it has not ended
 * within CANCEL_GRACE_MS (a job inside one long computation never checks); what it embedded stays cached.
 */
export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface JobEvent {
  seq: number;
  type: 'stage' | 'progress' | 'done' | 'failed' | 'cancelled';
  /** Seconds since the job started. */
  elapsedSeconds: number;
  data: Record<string, unknown>;
}

export interface Job {
  id: string;
  kind: JobRequest['kind'];
  status: JobStatus;
  startedAt: string;
  endedAt: string | null;
  /** Seconds since the start, or the job's duration once it ended. */
  elapsedSeconds: number;
  /** The latest stage message ("embedding lfw with fr-feature", …). */
  stage: string | null;
  params: Record<string, unknown>;
  events: JobEvent[];
  result: Record<string, unknown> | null;
}

const JOB_URL = moduleUrl('job-process', import.meta.url);
export const CANCEL_GRACE_MS = 3000;

interface Running extends Omit<Job, 'elapsedSeconds'> {
  started: number;
  ended: number | null;
  child: ChildProcess | null;
  cancelRequested: boolean;
  /** Why the process failed, when it said so before it ended ('error' event). */
  failure?: string;
}

export class JobRunner {
  private readonly jobs = new Map<string, Running>();
  private readonly bus = new EventEmitter();

  constructor(private readonly cfg: FrwConfig) {}

  /** Start a job in a new process; CONFLICT while another runs, or when its run folder already exists. */
  start(request: JobRequest, params: Record<string, unknown>): Job {
    if ([...this.jobs.values()].some((j) => j.status === 'running')) {
      throw new FrwError('CONFLICT', 'a job is already running on this machine; wait for it or cancel it');
    }
    if (fs.existsSync(request.out)) throw new FrwError('CONFLICT', `${request.out} already exists`);
    const job: Running = { id: crypto.randomUUID(), kind: request.kind, status: 'running', startedAt: new Date().toISOString(), endedAt: null, stage: null, params, events: [], result: null, started: Date.now(), ended: null, child: null, cancelRequested: false };
    this.jobs.set(job.id, job);
    let child: ChildProcess;
    try {
      child = startProcess(JOB_URL);
    } catch (e) {
      this.end(job, 'failed', { message: `the job process could not start: ${(e as Error).message}`, code: 'INTERNAL' }, request);
      return this.view(job);
    }
    job.child = child;
    child.on('message', (m: JobMessage) => {
      if (m.type === 'ready') {
        // A cancel that came while the process was loading: nothing was started, nothing to keep.
        if (job.cancelRequested) child.kill('SIGKILL');
        else child.send({ type: 'start', cfg: this.cfg, request });
      } else if (m.type === 'stage') {
        job.stage = m.message;
        this.push(job, 'stage', { message: m.message });
      } else if (m.type === 'progress') this.push(job, 'progress', { ...m.data });
      else if (m.type === 'done') this.end(job, 'done', m.result, request);
      else if (job.cancelRequested || m.code === 'CANCELLED') this.end(job, 'cancelled', { message: m.message, code: 'CANCELLED' }, request);
      else this.end(job, 'failed', { message: m.message, code: m.code }, request);
    });
    // A spawn failure, or a message that could not be sent: the process is of no further use.
    child.on('error', (e) => {
      job.failure ??= `the job process failed: ${e.message}`;
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) child.kill('SIGKILL');
      else this.settle(job, child, request);
    });
    // 'close' comes after the exit and after the IPC channel has delivered its last message, so a job that
    // finished is never taken for one that died.
    child.on('close', () => this.settle(job, child, request));
    return this.view(job);
  }

  get(id: string): Job {
    return this.view(this.find(id));
  }

  list(): Job[] {
    return [...this.jobs.values()].map((j) => this.view(j));
  }

  cancel(id: string): Job {
    const j = this.find(id);
    if (j.status === 'running' && !j.cancelRequested) {
      j.cancelRequested = true;
      const child = j.child;
      if (child?.connected) child.send({ type: 'cancel' });
      setTimeout(() => child?.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), CANCEL_GRACE_MS).unref();
    }
    return this.view(j);
  }

  /** Every event so far, then each new one, until the job ends; returns an unsubscribe function. */
  subscribe(id: string, onEvent: (e: JobEvent) => void): () => void {
    const j = this.find(id);
    for (const e of j.events) onEvent(e);
    if (j.status !== 'running') return () => undefined;
    this.bus.on(id, onEvent);
    return () => this.bus.off(id, onEvent);
  }

  /** Cancel what runs and wait for its process to end (server shutdown, tests). */
  async close(): Promise<void> {
    const running = [...this.jobs.values()].filter((j) => j.child);
    for (const j of running) this.cancel(j.id);
    await Promise.all(running.map((j) => new Promise((r) => (j.child ? j.child.once('close', r) : r(undefined)))));
  }

  /** The process is gone: a job that did not report its end was cancelled or died. */
  private settle(job: Running, child: ChildProcess, request: JobRequest): void {
    if (job.child === child) job.child = null;
    if (job.cancelRequested) this.end(job, 'cancelled', { message: 'cancelled; the embeddings computed so far stay cached', code: 'CANCELLED' }, request);
    else this.end(job, 'failed', { message: job.failure ?? `the job process exited (${child.signalCode ?? `code ${child.exitCode}`}) before it finished`, code: 'INTERNAL' }, request);
  }

  private find(id: string): Running {
    const j = this.jobs.get(id);
    if (!j) throw new FrwError('NOT_FOUND', `no job ${id}`);
    return j;
  }

  private push(job: Running, type: JobEvent['type'], data: Record<string, unknown>): void {
    const e: JobEvent = { seq: job.events.length, type, elapsedSeconds: (Date.now() - job.started) / 1000, data };
    job.events.push(e);
    this.bus.emit(job.id, e);
  }

  /** The first terminal outcome wins; a job that did not finish leaves no half-written run folder behind. */
  private end(job: Running, status: Exclude<JobStatus, 'running'>, data: Record<string, unknown>, request: JobRequest): void {
    if (job.status !== 'running') return;
    job.status = status;
    job.ended = Date.now();
    job.endedAt = new Date(job.ended).toISOString();
    if (status === 'done') job.result = data;
    else fs.rmSync(request.out, { recursive: true, force: true });
    this.push(job, status, data);
    this.bus.removeAllListeners(job.id);
  }

  private view(j: Running): Job {
    const { started, ended, child: _c, cancelRequested: _r, failure: _f, ...rest } = j;
    return { ...rest, elapsedSeconds: ((ended ?? Date.now()) - started) / 1000, events: [...rest.events] };
  }
}

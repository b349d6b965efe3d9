import type { RunHooks } from '../usecases/deps.js';

/**
 * A progress line on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise (CI logs),
 * so stdout stays clean for --json.
 */
export interface ProgressState {
  done: number;
  total: number;
  rate: number;
  etaSeconds: number;
}

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): { update(p: ProgressState): void; end(): void } {
  const tty = Boolean(stream.isTTY);
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      const now = Date.now();
      const finished = p.done >= p.total;
      if (!finished && now - last < (tty ? 100 : 5000)) return;
      last = now;
      const frac = p.total ? p.done / p.total : 1;
      const width = 28;
      const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
      const line = `${label} [${bar}] ${p.done}/${p.total} ${(frac * 100).toFixed(1)}% ${p.rate.toFixed(1)} img/s ETA ${formatDuration(p.etaSeconds)}`;
      if (tty) stream.write(`\r${line}\x1b[K`);
      else stream.write(line + '\n');
      drawn = true;
    },
    end() {
      if (tty && drawn) stream.write('\n');
    },
  };
}

export function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '--';
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Stage messages and one progress bar per model on stderr, for commands that embed before they evaluate. */
export function progressHooks(): RunHooks {
  const bars = new Map<string, ReturnType<typeof createProgress>>();
  return {
    onStage: (m) => process.stderr.write(`frw: ${m}\n`),
    onEmbedProgress: (model, p) => {
      if (!bars.has(model)) bars.set(model, createProgress(`embed ${model}`));
      bars.get(model)!.update(p);
      if (p.done >= p.total) bars.get(model)!.end();
    },
  };
}

import pg from 'pg';

/** Retry quickly at first, then at most every half second: a replica back on the network is current within a second. */
const RETRY_MS = [50, 100, 200, 400, 500];

/**
 * One connection that LISTENs for the gallery's change notifications, reconnecting for as long as the store is
 * open. Notifications sent while it is away are lost (PostgreSQL queues them only for connected listeners), so
 * every (re)connection also calls `onChange`: the mirror then catches up by change number and misses nothing.
 */
export class ChangeListener {
  private client: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
    private readonly onChange: () => void,
  ) {}

  get connected(): boolean {
    return this.client !== null;
  }

  start(): void {
    void this.connect(0);
  }

  private async connect(attempt: number): Promise<void> {
    if (this.stopped) return;
    // keepAlive: a link that dies silently (no reset) is noticed by TCP, not only at the next notification.
    const c = new pg.Client({ ...this.config, keepAlive: true });
    c.on('error', () => this.lost(c));
    c.on('end', () => this.lost(c));
    c.on('notification', () => this.onChange());
    try {
      await c.connect();
      await c.query(`LISTEN ${this.channel}`);
    } catch {
      c.end().catch(() => undefined);
      this.retry(attempt + 1);
      return;
    }
    if (this.stopped) return void c.end().catch(() => undefined);
    this.client = c;
    this.onChange();
  }

  private lost(c: pg.Client): void {
    if (this.client !== c) return; // a failed attempt, or a loss already handled
    this.client = null;
    c.end().catch(() => undefined);
    this.retry(0);
  }

  private retry(attempt: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.connect(attempt), RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}

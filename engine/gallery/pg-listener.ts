import pg from 'pg';

/** Retry quickly at first, then at most every half second: a replica back on the network is current within a second. */
const RETRY_MS = [50, 100, 200, 400, 500];
/**
 * A link that dies without a reset (packets dropped) is not noticed by TCP keepalive for minutes (Node sets only its
 * idle time): the listener asks `SELECT 1` this often and counts it lost when no answer comes within PING_TIMEOUT_MS.
 */
const PING_MS = 5000;
const PING_TIMEOUT_MS = 3000;

/**
 * One connection that LISTENs for the gallery's change notifications, reconnecting for as long as the store is
 * open. Notifications sent while it is away are lost (PostgreSQL queues them only for connected listeners), so
 * every (re)connection also calls `onChange`: the mirror then catches up by change number and misses nothing.
 */
export class ChangeListener {
  private client: pg.Client | null = null;
  /** A connection being opened, ended by stop() rather than left to finish. */
  private connecting: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ping: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
    private readonly onChange: () => void,
    private readonly onConnection: (connected: boolean) => void = () => undefined,
  ) {}

  get connected(): boolean {
    return this.client !== null;
  }

  start(): void {
    void this.connect(0);
  }

  private async connect(attempt: number): Promise<void> {
    if (this.stopped) return;
    // keepAlive keeps idle middleboxes from dropping the connection; a silent death is noticed by the ping below.
    const c = new pg.Client({ ...this.config, keepAlive: true });
    c.on('error', () => this.lost(c));
    c.on('end', () => this.lost(c));
    c.on('notification', () => this.onChange());
    this.connecting = c;
    try {
      await c.connect();
      await c.query(`LISTEN ${this.channel}`);
    } catch {
      c.end().catch(() => undefined);
      this.retry(attempt + 1);
      return;
    } finally {
      this.connecting = null;
    }
    if (this.stopped) return void c.end().catch(() => undefined);
    this.client = c;
    this.onConnection(true);
    this.onChange();
    this.ping = setInterval(() => {
      const timeout = setTimeout(() => this.lost(c), PING_TIMEOUT_MS);
      timeout.unref();
      c.query('SELECT 1').then(() => clearTimeout(timeout), () => (clearTimeout(timeout), this.lost(c)));
    }, PING_MS);
    this.ping.unref();
  }

  private lost(c: pg.Client): void {
    if (this.client !== c) return; // a failed attempt, or a loss already handled
    this.client = null;
    if (this.ping) clearInterval(this.ping);
    this.onConnection(false);
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
    if (this.ping) clearInterval(this.ping);
    const c = this.client;
    this.client = null;
    await Promise.all([c, this.connecting].map((x) => x?.end().catch(() => undefined)));
  }
}

import net from 'node:net';
import { freePort } from '../../bench/postgres.js';

/** PostgreSQL for the tests: the bench's harness (a database per test), and a link a test can cut. */
export { freePort, startPostgres, viaPort, type TestPostgres } from '../../bench/postgres.js';

/**
 * A TCP relay between a client and the server that a test can cut (every connection through it destroyed, new
 * ones refused) and restore: a network failure as a replica would see it, not a server going away.
 */
export interface CuttableLink {
  port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function cuttableLink(host: string, targetPort: number): Promise<CuttableLink> {
  const sockets = new Set<net.Socket>();
  const port = await freePort();
  let server: net.Server | null = null;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const stop = async () => {
    const s = server;
    server = null;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise((r) => s.close(r));
  };
  await listen();
  return { port, cut: stop, restore: listen, close: stop };
}

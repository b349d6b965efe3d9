import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * The one PostgreSQL harness, for benches and tests (tests/helpers/postgres.ts adds what only tests need): a server
 * and a database of its own per caller. `.ci/run` starts Debian's server and names an admin URL in
 * FRW_TEST_POSTGRES: databases are created there and dropped after. Without it (a developer's machine), a
 * throwaway cluster is made with Debian's initdb in a temporary folder, on a free loopback port, and removed after.
 * No PostgreSQL server installed is a failure that says what to install, never a skip.
 */
export interface TestPostgres {
  host: string;
  port: number;
  /** postgres://… of a new, empty database. */
  newDatabase(): Promise<string>;
  stop(): Promise<void>;
}

function serverBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0) throw new Error("PostgreSQL's server is not installed: apt-get install postgresql (the README's first command and .ci/run do)");
  return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function admin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Databases made on a server through its admin URL, dropped (connections and all) by `dropAll`. */
function databases(adminUrl: string) {
  const made: string[] = [];
  return {
    async create(): Promise<string> {
      const name = `frw_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
      await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
      made.push(name);
      const u = new URL(adminUrl);
      u.pathname = `/${name}`;
      return u.toString();
    },
    async dropAll(): Promise<void> {
      await admin(adminUrl, async (c) => {
        for (const name of made.splice(0)) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}

async function onServer(adminUrl: string): Promise<TestPostgres> {
  const u = new URL(adminUrl);
  const dbs = databases(adminUrl);
  return { host: u.hostname, port: Number(u.port || 5432), newDatabase: dbs.create, stop: dbs.dropAll };
}

async function throwaway(): Promise<TestPostgres> {
  const bin = serverBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frw-pg-'));
  const data = path.join(dir, 'data');
  // The server refuses to run as root: as root, the cluster belongs to Debian's postgres user.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const run = (cmd: string, args: string[]) => {
    const r = asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { encoding: 'utf8' }) : spawnSync(path.join(bin, cmd), args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  run('initdb', ['-D', data, '-U', 'frw', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  // fsync off: a test cluster need not survive a power cut, and it makes every commit cheap on this disk.
  run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`, 'start']);
  const dbs = databases(`postgres://frw@127.0.0.1:${port}/postgres`);
  return {
    host: '127.0.0.1',
    port,
    newDatabase: dbs.create,
    async stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export function startPostgres(): Promise<TestPostgres> {
  const adminUrl = process.env.FRW_TEST_POSTGRES;
  return adminUrl ? onServer(adminUrl) : throwaway();
}

/** The same database reached through another port (a CuttableLink's). */
export function viaPort(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

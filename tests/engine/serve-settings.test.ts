import { test } from 'vitest';
import assert from 'node:assert/strict';
import { resolveServeSettings, SERVE_SETTINGS } from '../../engine/serve-settings.js';
import { DEFAULT_LIMITS } from '../../engine/api/limits.js';

const KEY = 'k'.repeat(16);

test('each setting: its flag, else its environment variable, else its default', () => {
  const d = resolveServeSettings({ apiKey: KEY }, {});
  assert.deepEqual(d, { host: '127.0.0.1', port: 8731, apiKey: KEY, maxUploadBytes: 10 * 1024 * 1024, workers: undefined, limits: DEFAULT_LIMITS, shutdownTimeoutMs: 10_000, logLevel: 'info' });
  const env = { FRW_API_KEY: 'e'.repeat(20), FRW_ENGINE_PORT: '9000', FRW_ENGINE_SHUTDOWN_TIMEOUT: '2.5', FRW_ENGINE_WORKERS: '0', FRW_LOG_LEVEL: 'warn', FRW_ENGINE_RATE: '7' };
  const e = resolveServeSettings({}, env);
  assert.deepEqual([e.apiKey, e.port, e.shutdownTimeoutMs, e.workers, e.logLevel, e.limits.ratePerSecond], ['e'.repeat(20), 9000, 2500, 0, 'warn', 7]);
  const f = resolveServeSettings({ apiKey: KEY, port: '0', shutdownTimeout: '30', logLevel: 'debug' }, env);
  assert.deepEqual([f.apiKey, f.port, f.shutdownTimeoutMs, f.logLevel], [KEY, 0, 30_000, 'debug']);
  // An empty variable is unset, not a value.
  assert.equal(resolveServeSettings({ apiKey: KEY }, { FRW_ENGINE_PORT: '' }).port, 8731);
});

test('a bad value is refused, naming where it came from', () => {
  const refused = (flags: Record<string, string>, env: NodeJS.ProcessEnv, pattern: RegExp) =>
    assert.throws(() => resolveServeSettings({ apiKey: KEY, ...flags }, env), (e: Error & { code?: string }) => e.code === 'BAD_INPUT' && pattern.test(e.message), JSON.stringify({ flags, env }));
  refused({}, { FRW_ENGINE_PORT: '70000' }, /FRW_ENGINE_PORT must be an integer in \[0, 65535\], got "70000"/);
  refused({ port: '1.5' }, {}, /--port must be an integer/);
  refused({ shutdownTimeout: '0' }, {}, /--shutdown-timeout must be a number > 0/);
  refused({}, { FRW_ENGINE_SHUTDOWN_TIMEOUT: 'soon' }, /FRW_ENGINE_SHUTDOWN_TIMEOUT must be a number > 0/);
  refused({ logLevel: 'loud' }, {}, /--log-level must be one of fatal, error, warn, info, debug, trace, silent/);
  refused({ maxInFlight: '0' }, {}, /--max-in-flight must be an integer in \[1,/);
  refused({ workers: '-1' }, {}, /--workers must be an integer in \[0,/);
  assert.throws(() => resolveServeSettings({}, { FRW_API_KEY: 'short' }), /API key of at least 16 characters/);
});

test('every setting has its own flag and environment variable', () => {
  assert.equal(new Set(SERVE_SETTINGS.map((s) => s.flag.split(' ')[0])).size, SERVE_SETTINGS.length);
  assert.equal(new Set(SERVE_SETTINGS.map((s) => s.env)).size, SERVE_SETTINGS.length);
  assert.ok(SERVE_SETTINGS.every((s) => /^FRW_/.test(s.env) && s.help.length > 0));
});

import { FrwError } from '../core/errors.js';
import { LOG_LEVELS, parseLogLevel, type LogLevel } from '../core/log.js';
import { DEFAULT_LIMITS, type RequestLimits } from './api/limits.js';

/**
 * Every setting of `frw engine serve`, each defined once here: its flag, its environment variable, its default and
 * how its value is checked. The CLI builds its options from this table and resolves them once, at start (a flag
 * wins over the environment, which wins over the default); nothing below reads process.env.
 */
export interface ServeSettings {
  host: string;
  port: number;
  apiKey: string;
  maxUploadBytes: number;
  /** Embedding worker threads; undefined: the global --threads. */
  workers: number | undefined;
  limits: RequestLimits;
  /** From SIGTERM/SIGINT to exit, at most: in-flight requests finish within it or are cut (and logged). */
  shutdownTimeoutMs: number;
  logLevel: LogLevel;
}

type Key = 'host' | 'port' | 'apiKey' | 'maxUploadMb' | 'workers' | 'maxInFlight' | 'rate' | 'burst' | 'shutdownTimeout' | 'logLevel';

export interface ServeSetting {
  /** The commander option name (camelCase of the flag). */
  key: Key;
  flag: string;
  env: string;
  /** As text, the way it would be typed; undefined: no default (see `help`). */
  default: string | undefined;
  help: string;
}

export const SERVE_SETTINGS: readonly ServeSetting[] = [
  { key: 'host', flag: '--host <addr>', env: 'FRW_ENGINE_HOST', default: '127.0.0.1', help: 'address to bind' },
  { key: 'port', flag: '--port <n>', env: 'FRW_ENGINE_PORT', default: '8731', help: 'port (0: any free port, logged at start)' },
  { key: 'apiKey', flag: '--api-key <key>', env: 'FRW_API_KEY', default: undefined, help: 'API key clients send as X-API-Key; required, at least 16 characters' },
  { key: 'maxUploadMb', flag: '--max-upload-mb <n>', env: 'FRW_ENGINE_MAX_UPLOAD_MB', default: '10', help: 'largest upload accepted, MB (413 above)' },
  { key: 'workers', flag: '--workers <n>', env: 'FRW_ENGINE_WORKERS', default: undefined, help: 'embedding worker threads (default: --threads, one per core; 0 embeds on the HTTP thread)' },
  { key: 'maxInFlight', flag: '--max-in-flight <n>', env: 'FRW_ENGINE_MAX_IN_FLIGHT', default: String(DEFAULT_LIMITS.maxInFlight), help: 'image requests processed at once; more are refused with 429' },
  { key: 'rate', flag: '--rate <n>', env: 'FRW_ENGINE_RATE', default: String(DEFAULT_LIMITS.ratePerSecond), help: 'sustained requests per second per API key; more are refused with 429' },
  { key: 'burst', flag: '--burst <n>', env: 'FRW_ENGINE_BURST', default: String(DEFAULT_LIMITS.burst), help: 'requests a key may send at once above the rate' },
  { key: 'shutdownTimeout', flag: '--shutdown-timeout <s>', env: 'FRW_ENGINE_SHUTDOWN_TIMEOUT', default: '10', help: 'seconds from SIGTERM/SIGINT to exit: in-flight requests finish within it or are cut (logged)' },
  { key: 'logLevel', flag: '--log-level <level>', env: 'FRW_LOG_LEVEL', default: 'info', help: `JSON log level on stdout: ${LOG_LEVELS.join(', ')}` },
];

/** The value a setting takes: its flag, else its environment variable, else its default. */
function raw(s: ServeSetting, flags: Partial<Record<Key, string>>, env: NodeJS.ProcessEnv): { value: string | undefined; from: string } {
  if (flags[s.key] !== undefined) return { value: flags[s.key], from: s.flag.split(' ')[0] };
  if (env[s.env] !== undefined && env[s.env] !== '') return { value: env[s.env], from: s.env };
  return { value: s.default, from: s.flag.split(' ')[0] };
}

function integer(value: string, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isInteger(n) || n < min || n > max) throw new FrwError('BAD_INPUT', `${what} must be an integer in [${min}, ${max}], got "${value}"`);
  return n;
}

function positive(value: string, what: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new FrwError('BAD_INPUT', `${what} must be a number > 0, got "${value}"`);
  return n;
}

/** Resolve and check every setting once (the CLI calls this at start): a bad value is a BAD_INPUT naming its source. */
export function resolveServeSettings(flags: Partial<Record<Key, string>>, env: NodeJS.ProcessEnv): ServeSettings {
  const get = (key: Key) => {
    const s = SERVE_SETTINGS.find((x) => x.key === key)!;
    return raw(s, flags, env);
  };
  const need = (key: Key) => {
    const { value, from } = get(key);
    return { value: value ?? '', from };
  };
  const key = get('apiKey');
  if (!key.value || key.value.length < 16) throw new FrwError('BAD_INPUT', 'an API key of at least 16 characters is required: --api-key or FRW_API_KEY');
  const workers = get('workers');
  const port = need('port');
  const upload = need('maxUploadMb');
  const [inFlight, rate, burst, shutdown, level] = (['maxInFlight', 'rate', 'burst', 'shutdownTimeout', 'logLevel'] as const).map(need);
  return {
    host: need('host').value,
    port: integer(port.value, port.from, 0, 65535),
    apiKey: key.value,
    maxUploadBytes: Math.round(positive(upload.value, upload.from) * 1024 * 1024),
    workers: workers.value === undefined ? undefined : integer(workers.value, workers.from, 0),
    limits: { maxInFlight: integer(inFlight.value, inFlight.from, 1), ratePerSecond: integer(rate.value, rate.from, 1), burst: integer(burst.value, burst.from, 1) },
    shutdownTimeoutMs: Math.round(positive(shutdown.value, shutdown.from) * 1000),
    logLevel: parseLogLevel(level.value, level.from),
  };
}


import { pino, type DestinationStream, type Logger } from 'pino';
import { oneOf } from './choice.js';

export type { Logger } from 'pino';

/** The levels a service's log may be set to (pino's, plus "silent"), checked where the setting is read. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const parseLogLevel = (value: string, what: string): LogLevel => oneOf(LOG_LEVELS, value, what);

/**
 * The structured log of a long-running service (`frw engine serve`): one JSON object a line, on stdout unless told
 * otherwise, with `time` (ISO 8601), `level` as its name and `msg`. Commands run by people keep their plain output;
 * this is for what a log collector reads. Writes are synchronous, so a line logged just before exit is not lost.
 */
export function createLogger(level: LogLevel, destination: DestinationStream = pino.destination({ dest: 1, sync: true })): Logger {
  return pino(
    {
      level,
      base: { service: 'frw-engine', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

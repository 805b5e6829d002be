import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

/** Structured JSON logs on stdout; the one module-level logger besides config. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'runlog' } });
}

export type { Logger };

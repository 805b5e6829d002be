import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

/** WebSocket tickets are single-use, but a URL that carries one still stays out of the logs. */
function redactUrl(url: string): string {
  return url.replace(/([?&]ticket=)[^&]*/g, '$1[redacted]');
}

/** Structured JSON logs on stdout; the one module-level logger besides config. */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'runlog' },
    serializers: {
      req: (req: { method?: string; url?: string; id?: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url ?? '') }),
    },
  });
}

export type { Logger };

import pino from 'pino';
import type { Logger } from '../domain/ports/logger.js';
import { silentLogger } from '../domain/ports/logger.js';
import type { Settings } from './config.js';

/** A pino logger per the [logging] section, plus how to flush it on exit. */
export interface LoggingHandle {
  logger: Logger;
  flush(): void;
}

export function createLogging(settings: Settings['logging']): LoggingHandle {
  const level = settings.level.toLowerCase();
  if (!settings.enable_logging || level === 'off') return { logger: silentLogger, flush() {} };
  const destination = settings.enable_async
    ? pino.destination({ dest: 2, sync: false, minLength: settings.batch_size })
    : pino.destination({ dest: 2, sync: true });
  const logger = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: settings.show_timestamp ? pino.stdTimeFunctions.isoTime : false,
      // Credentials and values never reach the log.
      redact: { paths: ['password', '*.password', 'value'], censor: '[redacted]' },
    },
    destination,
  );
  return {
    logger,
    flush() {
      try {
        destination.flushSync();
      } catch {
        // a sync destination or one not yet ready: nothing buffered
      }
    },
  };
}

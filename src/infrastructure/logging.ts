import pino from 'pino';
import { openSync } from 'node:fs';
import type { Logger } from '../domain/ports/logger.js';
import { silentLogger } from '../domain/ports/logger.js';
import type { Settings } from './config.js';
import { prettyLine } from './pretty-log.js';

/** A pino logger per the [logging] section, plus how to flush it on exit. */
export interface LoggingHandle {
  logger: Logger;
  flush(): void;
}

/**
 * The server's logger: JSON lines (or pretty ones) on stderr or appended to
 * `logging.file`. Throws (a one-line message) when the file cannot be opened.
 */
export function createLogging(settings: Settings['logging']): LoggingHandle {
  const level = settings.level.toLowerCase();
  if (!settings.enable_logging || level === 'off') return { logger: silentLogger, flush() {} };
  const dest = settings.file === '' ? 2 : openLogFile(settings.file);
  const destination = settings.enable_async ? pino.destination({ dest, sync: false, minLength: settings.batch_size }) : pino.destination({ dest, sync: true });
  const colors = settings.enable_colors;
  const stream = settings.format === 'pretty' ? { write: (line: string) => destination.write(prettyLine(line, colors)) } : destination;
  const logger = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: settings.show_timestamp ? isoTime : false,
      // Credentials and values never reach the log.
      redact: { paths: ['password', '*.password', 'value'], censor: '[redacted]' },
    },
    stream,
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

/**
 * pino's isoTime without `Date.prototype.toISOString`: V8 works out the local
 * time zone for it (unused for UTC), which makes ICU load its time zone data on
 * the first log line: ~0.6 MiB of an idle server's RSS (docs/memory.md).
 */
function isoTime(): string {
  const d = new Date();
  return `,"time":"${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}Z"`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Opens (appending) before the first line, so a bad path fails start-up, not a later write. */
function openLogFile(file: string): number {
  try {
    return openSync(file, 'a');
  } catch (err) {
    throw new Error(`cannot open log file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

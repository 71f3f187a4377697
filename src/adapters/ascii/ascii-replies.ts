import type { StoreOutcome } from '../../application/storage.js';
import type { ArithmeticFailure } from '../../application/arithmetic.js';

/**
 * Every fixed reply of the text protocol, byte for byte as memcached 1.6
 * sends it, and the one place where use-case outcomes become wire text.
 */
export const Reply = {
  STORED: 'STORED\r\n',
  NOT_STORED: 'NOT_STORED\r\n',
  EXISTS: 'EXISTS\r\n',
  NOT_FOUND: 'NOT_FOUND\r\n',
  DELETED: 'DELETED\r\n',
  TOUCHED: 'TOUCHED\r\n',
  END: 'END\r\n',
  OK: 'OK\r\n',
  RESET: 'RESET\r\n',
  ERROR: 'ERROR\r\n',
  BAD_FORMAT: 'CLIENT_ERROR bad command line format\r\n',
  BAD_CHUNK: 'CLIENT_ERROR bad data chunk\r\n',
  BAD_EXPTIME: 'CLIENT_ERROR invalid exptime argument\r\n',
  BAD_DELTA: 'CLIENT_ERROR invalid numeric delta argument\r\n',
  NON_NUMERIC: 'CLIENT_ERROR cannot increment or decrement non-numeric value\r\n',
  DELETE_USAGE: 'CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n',
  TOO_LARGE: 'SERVER_ERROR object too large for cache\r\n',
  NO_MEMORY: 'SERVER_ERROR out of memory storing object\r\n',
  STATS_DETAIL_USAGE: 'CLIENT_ERROR usage: stats detail on|off|dump\r\n',
  SHUTDOWN_DISABLED: 'ERROR: shutdown not enabled\r\n',
  SHUTDOWN_BAD_MODE: 'CLIENT_ERROR invalid shutdown mode\r\n',
  WATCH_DISABLED: 'CLIENT_ERROR watch commands not allowed\r\n',
  BADCLASS_CRAWL: 'BADCLASS invalid class id\r\n',
  METADUMP_PIPELINED: 'ERROR cannot pipeline other commands before metadump\r\n',
  CACHEDUMP_USAGE: 'CLIENT_ERROR bad command line\r\n',
  ILLEGAL_SLAB: 'CLIENT_ERROR Illegal slab id\r\n',
  MEMLIMIT_TOO_SMALL: 'MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m\r\n',
  MEMLIMIT_NOT_MB: 'MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes\r\n',
  MEMLIMIT_FAILED: 'MEMLIMIT_ADJUST_FAILED out of bounds or unable to adjust\r\n',
  SLEEP_TOO_LONG: 'CLIENT_ERROR sleep must be one second or less\r\n',
  NOSPARE: 'NOSPARE source class has no spare pages\r\n',
  BADCLASS: 'BADCLASS invalid src or dst class id\r\n',
  LRU_PCTS: 'ERROR hot and warm pcts must not exceed 80\r\n',
  LRU_FACTORS: 'ERROR hot/warm age factors must be greater than 0\r\n',
} as const;

export function storeReply(outcome: StoreOutcome): string {
  switch (outcome) {
    case 'stored':
      return Reply.STORED;
    case 'not-stored':
      return Reply.NOT_STORED;
    case 'exists':
      return Reply.EXISTS;
    case 'not-found':
      return Reply.NOT_FOUND;
    case 'no-memory':
      return Reply.NO_MEMORY;
  }
}

export function arithmeticReply(result: bigint | ArithmeticFailure): string {
  if (result === 'not-found') return Reply.NOT_FOUND;
  if (result === 'non-numeric') return Reply.NON_NUMERIC;
  return result.toString() + '\r\n';
}

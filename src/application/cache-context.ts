import type { CacheStore } from '../domain/ports/cache-store.js';
import type { Clock } from '../domain/ports/clock.js';
import { silentLogger, type Logger } from '../domain/ports/logger.js';
import { expiryFromExptime } from '../domain/rules.js';
import type { CasSequence } from './cas-sequence.js';
import { ItemMetaTable } from './item-meta.js';
import type { PrefixStats } from './prefix-stats.js';
import type { ServerStats } from './server-stats.js';

/** Limits and identity the use-cases need; set once from configuration. */
export interface CacheSettings {
  /** memcached's -I: largest item (key + value + header) accepted. */
  itemSizeMax: number;
  /** Epoch ms when the server started (absolute exptimes before it are "already expired"). */
  processStartMs: number;
  /** Version reported by `version` and `stats`. */
  version: string;
}

/** What the use-cases log (logging.enable_audit_logs / enable_cache_logs). */
export interface CacheLogging {
  logger: Logger;
  /** flush_all is audit-logged at info. */
  audit: boolean;
  /** Every command is logged at debug (only when the logger is at debug). */
  commands: boolean;
}

const NO_LOGGING: CacheLogging = { logger: silentLogger, audit: false, commands: false };

/**
 * What every use-case shares: the store (memory, disk or tiered; the
 * use-cases do not know which), the clock, the cas sequence and the counters.
 * Built once by the container.
 */
export class CacheContext {
  /** Per-item stale/win/fetched bits of the meta commands (see item-meta.ts). */
  readonly itemMeta = new ItemMetaTable();

  constructor(
    readonly store: CacheStore,
    readonly clock: Clock,
    readonly cas: CasSequence,
    readonly stats: ServerStats,
    readonly prefixStats: PrefixStats,
    readonly settings: CacheSettings,
    readonly logging: CacheLogging = NO_LOGGING,
  ) {}

  /** The absolute expiry (epoch ms, 0 = never) of a protocol exptime given at `now`. */
  expiry(exptime: number, now?: number): number {
    // 0 (never) is the common case: no clock read for it (Date.now() is ~3 % of a pipelined set).
    if (exptime === 0) return 0;
    return expiryFromExptime(exptime, now ?? this.clock.now(), this.settings.processStartMs);
  }
}

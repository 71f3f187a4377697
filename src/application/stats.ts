import type { StoreLayout, StoreStats } from '../domain/ports/cache-store.js';
import type { RuntimeInfo } from '../domain/ports/runtime-info.js';
import type { CacheContext } from './cache-context.js';
import type { ServerStats } from './server-stats.js';

/** One `STAT name value` line's worth. */
export type StatPair = readonly [name: string, value: string | number];

/** What a `stats` request asked for, in memcached's terms; each front end renders it in its own framing. */
export type StatsGroup =
  /** Lines to print: the general stats, or the settings/items/slabs/sizes group. */
  | { readonly kind: 'pairs'; readonly pairs: readonly StatPair[] }
  /** `stats reset` done. */
  | { readonly kind: 'reset' }
  /** `stats detail on|off` done. */
  | { readonly kind: 'detail-set' }
  /** `stats detail dump`: memcached's PREFIX lines, without line ends. */
  | { readonly kind: 'detail-dump'; readonly lines: readonly string[] }
  /** `stats detail` without a valid argument. */
  | { readonly kind: 'detail-usage' }
  /** A group memcached does not have. */
  | { readonly kind: 'unknown' };

/** Server facts the application cannot know by itself (from configuration and the other tiers). */
export interface StatsSources {
  /** `stats settings` lines, in memcached's order where the names are memcached's. */
  settings(): StatPair[];
  /** memcached's max_connections. */
  maxConnections(): number;
  /** Extra store-specific general stats (e.g. the l2_ group). */
  extraStats(): StatPair[];
}

/** stats, stats settings/items/slabs/reset/detail. */
export class StatsUseCase {
  constructor(
    private readonly ctx: CacheContext,
    private readonly sources: StatsSources,
    private readonly runtime: RuntimeInfo,
  ) {}

  /**
   * One `stats` request: `group` is '' for the general stats, else the group
   * name (reset, settings, items, slabs, sizes, detail); `arg` is detail's
   * on/off/dump. How a protocol spells the request is the front end's
   * business, what it means is decided here once.
   */
  statsGroup(group: string, arg?: string): StatsGroup {
    switch (group) {
      case '':
        return { kind: 'pairs', pairs: this.general() };
      case 'reset':
        this.reset();
        return RESET;
      case 'settings':
        return { kind: 'pairs', pairs: this.settings() };
      case 'items':
        return { kind: 'pairs', pairs: this.items() };
      case 'slabs':
        return { kind: 'pairs', pairs: this.slabs() };
      case 'sizes':
        return SIZES;
      case 'detail': {
        const r = arg === undefined ? undefined : this.detail(arg);
        if (r === undefined) return DETAIL_USAGE;
        return typeof r === 'string' ? DETAIL_SET : { kind: 'detail-dump', lines: r };
      }
      default:
        return UNKNOWN;
    }
  }

  /** The store's own counters (items, bytes, evictions). */
  store(): StoreStats {
    return this.ctx.store.stats();
  }

  /**
   * `stats` with every general field memcached 1.6.18 prints, in its order,
   * so tools that parse by position or name find them. Machinery we do not
   * have (slab mover, LRU crawler, hash table, libevent) reports 0 or what
   * stands in for it; store-specific extras come after memcached's fields.
   */
  general(): StatPair[] {
    const { stats, settings, clock, store } = this.ctx;
    const now = clock.now();
    const cpu = this.runtime.cpuUsage();
    const s = store.stats();
    const counted = (...names: Counter[]): StatPair[] => names.map((name) => [name, stats[name]]);
    return [
      ['pid', this.runtime.pid],
      ['uptime', Math.floor((now - settings.processStartMs) / 1000)],
      ['time', Math.floor(now / 1000)],
      ['version', settings.version],
      ['libevent', this.runtime.eventLibrary],
      ['pointer_size', 64],
      ['rusage_user', seconds(cpu.user)],
      ['rusage_system', seconds(cpu.system)],
      ['max_connections', this.sources.maxConnections()],
      ...counted('curr_connections', 'total_connections', 'rejected_connections'),
      ['connection_structures', stats.curr_connections],
      ...zero('response_obj_oom', 'response_obj_count', 'response_obj_bytes', 'read_buf_count', 'read_buf_bytes', 'read_buf_bytes_free', 'read_buf_oom'),
      ...zero('reserved_fds'),
      ...counted('cmd_get', 'cmd_set', 'cmd_flush', 'cmd_touch', 'cmd_meta', 'get_hits', 'get_misses', 'get_expired', 'get_flushed'),
      ...counted('delete_misses', 'delete_hits', 'incr_misses', 'incr_hits', 'decr_misses', 'decr_hits', 'cas_misses', 'cas_hits', 'cas_badval'),
      ...counted('touch_hits', 'touch_misses', 'store_too_large', 'store_no_memory', 'auth_cmds', 'auth_errors', 'bytes_read', 'bytes_written'),
      ['limit_maxbytes', s.limitBytes],
      ['accepting_conns', 1],
      ...zero('listen_disabled_num', 'time_in_listen_disabled_us'),
      ['threads', 1],
      ...counted('conn_yields'),
      ...zero('hash_power_level', 'hash_bytes', 'hash_is_expanding', 'slab_reassign_rescues', 'slab_reassign_chunk_rescues'),
      ...zero('slab_reassign_evictions_nomem', 'slab_reassign_inline_reclaim', 'slab_reassign_busy_items', 'slab_reassign_busy_deletes'),
      ...zero('slab_reassign_running', 'slabs_moved', 'lru_crawler_running', 'lru_crawler_starts', 'malloc_fails', 'log_worker_dropped'),
      ...zero('log_worker_written', 'log_watcher_skipped', 'log_watcher_sent', 'log_watchers', 'unexpected_napi_ids', 'round_robin_fallback'),
      ['bytes', s.bytes],
      ['curr_items', s.items],
      ['total_items', s.totalItems],
      ...zero('slab_global_page_pool', 'expired_unfetched', 'evicted_unfetched'),
      ['evictions', s.evictions],
      ['reclaimed', s.expired],
      ...zero('crawler_reclaimed', 'crawler_items_checked', 'lrutail_reflocked'),
      ...this.sources.extraStats(),
    ];
  }

  settings(): StatPair[] {
    return this.sources.settings();
  }

  /** `stats items`: per size class of the memory tier, memcached 1.6.18's fields (docs/memory.md). */
  items(): StatPair[] {
    const lines: StatPair[] = [];
    for (const c of this.layout().classes) {
      if (c.items === 0) continue;
      const kept: Partial<Record<string, number>> = {
        number: c.items,
        number_cold: c.items,
        mem_requested: c.requestedBytes,
        evicted: c.evicted,
        reclaimed: c.reclaimed,
      };
      for (const name of ITEM_FIELDS) lines.push([`items:${c.id}:${name}`, kept[name] ?? 0]);
    }
    return lines;
  }

  /** `stats slabs`: the memory tier's real size classes and pages; per-class command counters are not kept (0). */
  slabs(): StatPair[] {
    const layout = this.layout();
    const lines: StatPair[] = [];
    for (const c of layout.classes) {
      const kept: Partial<Record<string, number>> = {
        chunk_size: c.chunkSize,
        chunks_per_page: c.chunksPerPage,
        total_pages: c.pages,
        total_chunks: c.totalChunks,
        used_chunks: c.usedChunks,
        free_chunks: c.freeChunks,
        free_chunks_end: c.freeChunksEnd,
      };
      for (const name of SLAB_FIELDS) lines.push([`${c.id}:${name}`, kept[name] ?? 0]);
    }
    lines.push(['active_slabs', layout.classes.length], ['total_malloced', layout.mallocedBytes]);
    return lines;
  }

  private layout(): StoreLayout {
    return this.ctx.store.layout?.() ?? { classes: [], mallocedBytes: 0 };
  }

  /** memcached's stats_reset(): the counters and the `stats detail` per-prefix table. */
  reset(): void {
    this.ctx.stats.reset();
    this.ctx.prefixStats.clear();
  }

  /** `stats detail on|off|dump`; undefined for a bad argument. */
  detail(arg: string): 'on' | 'off' | string[] | undefined {
    const p = this.ctx.prefixStats;
    if (arg === 'on') {
      p.enabled = true;
      return 'on';
    }
    if (arg === 'off') {
      p.enabled = false;
      return 'off';
    }
    if (arg === 'dump') return p.dump();
    return undefined;
  }
}

/** The counters of ServerStats, printed under their own names. */
type Counter = { [K in keyof ServerStats]: ServerStats[K] extends number ? K : never }[keyof ServerStats];

/** Fields of machinery we do not have (slab mover, LRU crawler, hash table...): memcached prints them, we print 0. */
function zero(...names: string[]): StatPair[] {
  return names.map((name) => [name, 0]);
}

/** `stats items` fields of a class in memcached 1.6.18's order; those the store does not keep are 0. */
const ITEM_FIELDS = [
  ...['number', 'number_hot', 'number_warm', 'number_cold', 'age_hot', 'age_warm', 'age', 'mem_requested', 'evicted', 'evicted_nonzero', 'evicted_time'],
  ...['outofmemory', 'tailrepairs', 'reclaimed', 'expired_unfetched', 'evicted_unfetched', 'evicted_active', 'crawler_reclaimed', 'crawler_items_checked'],
  ...['lrutail_reflocked', 'moves_to_cold', 'moves_to_warm', 'moves_within_lru', 'direct_reclaims'],
  ...['hits_to_hot', 'hits_to_warm', 'hits_to_cold', 'hits_to_temp'],
];

/** `stats slabs` fields of a class in memcached 1.6.18's order; per-class command counters are not kept (0). */
const SLAB_FIELDS = [
  ...['chunk_size', 'chunks_per_page', 'total_pages', 'total_chunks', 'used_chunks', 'free_chunks', 'free_chunks_end', 'get_hits', 'cmd_set', 'delete_hits'],
  ...['incr_hits', 'decr_hits', 'cas_hits', 'cas_badval', 'touch_hits'],
];

function seconds(micros: number): string {
  return (micros / 1e6).toFixed(6);
}

const RESET: StatsGroup = { kind: 'reset' };
const SIZES: StatsGroup = { kind: 'pairs', pairs: [['sizes_status', 'disabled']] };
const DETAIL_SET: StatsGroup = { kind: 'detail-set' };
const DETAIL_USAGE: StatsGroup = { kind: 'detail-usage' };
const UNKNOWN: StatsGroup = { kind: 'unknown' };

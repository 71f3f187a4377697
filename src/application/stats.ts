import type { StoreLayout, StoreStats } from '../domain/ports/cache-store.js';
import type { RuntimeInfo } from '../domain/ports/runtime-info.js';
import type { CacheContext } from './cache-context.js';

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
      ['curr_connections', stats.curr_connections],
      ['total_connections', stats.total_connections],
      ['rejected_connections', stats.rejected_connections],
      ['connection_structures', stats.curr_connections],
      ['response_obj_oom', 0],
      ['response_obj_count', 0],
      ['response_obj_bytes', 0],
      ['read_buf_count', 0],
      ['read_buf_bytes', 0],
      ['read_buf_bytes_free', 0],
      ['read_buf_oom', 0],
      ['reserved_fds', 0],
      ['cmd_get', stats.cmd_get],
      ['cmd_set', stats.cmd_set],
      ['cmd_flush', stats.cmd_flush],
      ['cmd_touch', stats.cmd_touch],
      ['cmd_meta', stats.cmd_meta],
      ['get_hits', stats.get_hits],
      ['get_misses', stats.get_misses],
      ['get_expired', stats.get_expired],
      ['get_flushed', stats.get_flushed],
      ['delete_misses', stats.delete_misses],
      ['delete_hits', stats.delete_hits],
      ['incr_misses', stats.incr_misses],
      ['incr_hits', stats.incr_hits],
      ['decr_misses', stats.decr_misses],
      ['decr_hits', stats.decr_hits],
      ['cas_misses', stats.cas_misses],
      ['cas_hits', stats.cas_hits],
      ['cas_badval', stats.cas_badval],
      ['touch_hits', stats.touch_hits],
      ['touch_misses', stats.touch_misses],
      ['store_too_large', stats.store_too_large],
      ['store_no_memory', stats.store_no_memory],
      ['auth_cmds', stats.auth_cmds],
      ['auth_errors', stats.auth_errors],
      ['bytes_read', stats.bytes_read],
      ['bytes_written', stats.bytes_written],
      ['limit_maxbytes', s.limitBytes],
      ['accepting_conns', 1],
      ['listen_disabled_num', 0],
      ['time_in_listen_disabled_us', 0],
      ['threads', 1],
      ['conn_yields', stats.conn_yields],
      ['hash_power_level', 0],
      ['hash_bytes', 0],
      ['hash_is_expanding', 0],
      ['slab_reassign_rescues', 0],
      ['slab_reassign_chunk_rescues', 0],
      ['slab_reassign_evictions_nomem', 0],
      ['slab_reassign_inline_reclaim', 0],
      ['slab_reassign_busy_items', 0],
      ['slab_reassign_busy_deletes', 0],
      ['slab_reassign_running', 0],
      ['slabs_moved', 0],
      ['lru_crawler_running', 0],
      ['lru_crawler_starts', 0],
      ['malloc_fails', 0],
      ['log_worker_dropped', 0],
      ['log_worker_written', 0],
      ['log_watcher_skipped', 0],
      ['log_watcher_sent', 0],
      ['log_watchers', 0],
      ['unexpected_napi_ids', 0],
      ['round_robin_fallback', 0],
      ['bytes', s.bytes],
      ['curr_items', s.items],
      ['total_items', s.totalItems],
      ['slab_global_page_pool', 0],
      ['expired_unfetched', 0],
      ['evicted_unfetched', 0],
      ['evictions', s.evictions],
      ['reclaimed', s.expired],
      ['crawler_reclaimed', 0],
      ['crawler_items_checked', 0],
      ['lrutail_reflocked', 0],
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
      const p = `items:${c.id}:`;
      for (const [name, value] of [
        ['number', c.items],
        ['number_hot', 0],
        ['number_warm', 0],
        ['number_cold', c.items],
        ['age_hot', 0],
        ['age_warm', 0],
        ['age', 0],
        ['mem_requested', c.requestedBytes],
        ['evicted', c.evicted],
        ['evicted_nonzero', 0],
        ['evicted_time', 0],
        ['outofmemory', 0],
        ['tailrepairs', 0],
        ['reclaimed', c.reclaimed],
        ['expired_unfetched', 0],
        ['evicted_unfetched', 0],
        ['evicted_active', 0],
        ['crawler_reclaimed', 0],
        ['crawler_items_checked', 0],
        ['lrutail_reflocked', 0],
        ['moves_to_cold', 0],
        ['moves_to_warm', 0],
        ['moves_within_lru', 0],
        ['direct_reclaims', 0],
        ['hits_to_hot', 0],
        ['hits_to_warm', 0],
        ['hits_to_cold', 0],
        ['hits_to_temp', 0],
      ] as const)
        lines.push([p + name, value]);
    }
    return lines;
  }

  /** `stats slabs`: the memory tier's real size classes and pages; per-class command counters are not kept (0). */
  slabs(): StatPair[] {
    const layout = this.layout();
    const lines: StatPair[] = [];
    for (const c of layout.classes) {
      const p = `${c.id}:`;
      for (const [name, value] of [
        ['chunk_size', c.chunkSize],
        ['chunks_per_page', c.chunksPerPage],
        ['total_pages', c.pages],
        ['total_chunks', c.totalChunks],
        ['used_chunks', c.usedChunks],
        ['free_chunks', c.freeChunks],
        ['free_chunks_end', c.freeChunksEnd],
        ['get_hits', 0],
        ['cmd_set', 0],
        ['delete_hits', 0],
        ['incr_hits', 0],
        ['decr_hits', 0],
        ['cas_hits', 0],
        ['cas_badval', 0],
        ['touch_hits', 0],
      ] as const)
        lines.push([p + name, value]);
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

function seconds(micros: number): string {
  return (micros / 1e6).toFixed(6);
}

const RESET: StatsGroup = { kind: 'reset' };
const SIZES: StatsGroup = { kind: 'pairs', pairs: [['sizes_status', 'disabled']] };
const DETAIL_SET: StatsGroup = { kind: 'detail-set' };
const DETAIL_USAGE: StatsGroup = { kind: 'detail-usage' };
const UNKNOWN: StatsGroup = { kind: 'unknown' };

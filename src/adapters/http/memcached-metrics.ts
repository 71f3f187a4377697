import type { Exposition, MetricType } from './exposition.js';

/** The `stats` groups a scrape reads, as name -> value text. */
export interface StatGroups {
  general: ReadonlyMap<string, string>;
  settings: ReadonlyMap<string, string>;
  items: ReadonlyMap<string, string>;
  slabs: ReadonlyMap<string, string>;
}

type Mapping = readonly [stat: string, metric: string, type: MetricType, help: string];

/**
 * prometheus/memcached_exporter's mappings of general `stats` fields
 * (pkg/exporter/exporter.go), names, types and help texts unchanged, so its
 * dashboards and alerts work against this server. Like the exporter, a
 * field the server does not report produces no metric.
 */
const GENERAL: readonly Mapping[] = [
  ['uptime', 'memcached_uptime_seconds', 'counter', 'Number of seconds since the server started.'],
  ['time', 'memcached_time_seconds', 'gauge', 'current UNIX time according to the server.'],
  ['rusage_user', 'memcached_process_user_cpu_seconds_total', 'counter', 'Accumulated user time for this process.'],
  ['rusage_system', 'memcached_process_system_cpu_seconds_total', 'counter', 'Accumulated system time for this process.'],
  ['bytes', 'memcached_current_bytes', 'gauge', 'Current number of bytes used to store items.'],
  ['limit_maxbytes', 'memcached_limit_bytes', 'gauge', 'Number of bytes this server is allowed to use for storage.'],
  ['curr_items', 'memcached_current_items', 'gauge', 'Current number of items stored by this instance.'],
  ['total_items', 'memcached_items_total', 'counter', 'Total number of items stored during the life of this instance.'],
  ['bytes_read', 'memcached_read_bytes_total', 'counter', 'Total number of bytes read by this server from network.'],
  ['bytes_written', 'memcached_written_bytes_total', 'counter', 'Total number of bytes sent by this server to network.'],
  ['curr_connections', 'memcached_current_connections', 'gauge', 'Current number of open connections.'],
  ['total_connections', 'memcached_connections_total', 'counter', 'Total number of connections opened since the server started running.'],
  [
    'rejected_connections',
    'memcached_connections_rejected_total',
    'counter',
    "Total number of connections rejected due to hitting the memcached's -c limit in maxconns_fast mode.",
  ],
  ['conn_yields', 'memcached_connections_yielded_total', 'counter', "Total number of connections yielded running due to hitting the memcached's -R limit."],
  [
    'listen_disabled_num',
    'memcached_connections_listener_disabled_total',
    'counter',
    'Number of times that memcached has hit its connections limit and disabled its listener.',
  ],
  ['evictions', 'memcached_items_evicted_total', 'counter', 'Total number of valid items removed from cache to free memory for new items.'],
  ['reclaimed', 'memcached_items_reclaimed_total', 'counter', 'Total number of times an entry was stored using memory from an expired entry.'],
  ['store_too_large', 'memcached_item_too_large_total', 'counter', 'The number of times an item exceeded the max-item-size when being stored.'],
  ['store_no_memory', 'memcached_item_no_memory_total', 'counter', 'The number of times an item could not be stored due to no more memory.'],
  ['lru_crawler_starts', 'memcached_lru_crawler_starts_total', 'counter', 'Times an LRU crawler was started.'],
  ['direct_reclaims', 'memcached_direct_reclaims_total', 'counter', 'Times worker threads had to directly reclaim or evict items.'],
  ['crawler_items_checked', 'memcached_lru_crawler_items_checked_total', 'counter', 'Total items examined by LRU Crawler.'],
  ['crawler_reclaimed', 'memcached_lru_crawler_reclaimed_total', 'counter', 'Total items freed by LRU Crawler.'],
  ['moves_to_cold', 'memcached_lru_crawler_moves_to_cold_total', 'counter', "Total number of items moved from HOT/WARM to COLD LRU's."],
  ['moves_to_warm', 'memcached_lru_crawler_moves_to_warm_total', 'counter', 'Total number of items moved from COLD to WARM LRU.'],
  ['moves_within_lru', 'memcached_lru_crawler_moves_within_lru_total', 'counter', "Total number of items reshuffled within HOT or WARM LRU's."],
  ['total_malloced', 'memcached_malloced_bytes', 'gauge', 'Number of bytes of memory allocated to slab pages.'],
  ['accepting_conns', 'memcached_accepting_connections', 'gauge', 'The Memcached server is currently accepting new connections.'],
];

/** The exporter's per-slab-class `stats items` fields (label slab). */
const ITEMS: readonly Mapping[] = [
  ['number', 'memcached_slab_current_items', 'gauge', 'Number of items currently stored in this slab class.'],
  ['age', 'memcached_slab_items_age_seconds', 'gauge', 'Number of seconds the oldest item has been in the slab class.'],
  ['crawler_reclaimed', 'memcached_slab_items_crawler_reclaimed_total', 'counter', 'Number of items freed by the LRU Crawler.'],
  ['evicted', 'memcached_slab_items_evicted_total', 'counter', 'Total number of times an item had to be evicted from the LRU before it expired.'],
  [
    'evicted_nonzero',
    'memcached_slab_items_evicted_nonzero_total',
    'counter',
    'Total number of times an item which had an explicit expire time set had to be evicted from the LRU before it expired.',
  ],
  ['evicted_time', 'memcached_slab_items_evicted_time_seconds', 'counter', 'Seconds since the last access for the most recent item evicted from this class.'],
  ['evicted_unfetched', 'memcached_slab_items_evicted_unfetched_total', 'counter', 'Total nmber of items evicted and never fetched.'],
  [
    'expired_unfetched',
    'memcached_slab_items_expired_unfetched_total',
    'counter',
    'Total number of valid items evicted from the LRU which were never touched after being set.',
  ],
  ['outofmemory', 'memcached_slab_items_outofmemory_total', 'counter', 'Total number of items for this slab class that have triggered an out of memory error.'],
  ['reclaimed', 'memcached_slab_items_reclaimed_total', 'counter', 'Total number of items reclaimed.'],
  ['tailrepairs', 'memcached_slab_items_tailrepairs_total', 'counter', 'Total number of times the entries for a particular ID need repairing.'],
  ['mem_requested', 'memcached_slab_mem_requested_bytes', 'gauge', 'Number of bytes of memory actual items take up within a slab.'],
  ['moves_to_cold', 'memcached_slab_items_moves_to_cold', 'counter', 'Number of items moved from HOT or WARM into COLD.'],
  ['moves_to_warm', 'memcached_slab_items_moves_to_warm', 'counter', 'Number of items moves from COLD into WARM.'],
  ['moves_within_lru', 'memcached_slab_items_moves_within_lru', 'counter', 'Number of times active items were bumped within HOT or WARM.'],
  ['number_hot', 'memcached_slab_hot_items', 'gauge', 'Number of items presently stored in the HOT LRU.'],
  ['number_warm', 'memcached_slab_warm_items', 'gauge', 'Number of items presently stored in the WARM LRU.'],
  ['number_cold', 'memcached_slab_cold_items', 'gauge', 'Number of items presently stored in the COLD LRU.'],
  ['number_temp', 'memcached_slab_temporary_items', 'gauge', 'Number of items presently stored in the TEMPORARY LRU.'],
  ['age_hot', 'memcached_slab_hot_age_seconds', 'gauge', 'Age of the oldest item in HOT LRU.'],
  ['age_warm', 'memcached_slab_warm_age_seconds', 'gauge', 'Age of the oldest item in HOT LRU.'],
];

/** The exporter's per-slab-class `stats slabs` fields (label slab). */
const SLABS: readonly Mapping[] = [
  ['chunk_size', 'memcached_slab_chunk_size_bytes', 'gauge', 'Number of bytes allocated to each chunk within this slab class.'],
  ['chunks_per_page', 'memcached_slab_chunks_per_page', 'gauge', 'Number of chunks within a single page for this slab class.'],
  ['total_pages', 'memcached_slab_current_pages', 'gauge', 'Number of pages allocated to this slab class.'],
  ['total_chunks', 'memcached_slab_current_chunks', 'gauge', 'Number of chunks allocated to this slab class.'],
  ['used_chunks', 'memcached_slab_chunks_used', 'gauge', 'Number of chunks allocated to an item.'],
  ['free_chunks', 'memcached_slab_chunks_free', 'gauge', 'Number of chunks not yet allocated items.'],
  ['free_chunks_end', 'memcached_slab_chunks_free_end', 'gauge', 'Number of free chunks at the end of the last allocated page.'],
  ['mem_requested', 'memcached_slab_mem_requested_bytes', 'gauge', 'Number of bytes of memory actual items take up within a slab.'],
];

const OPS = ['get', 'delete', 'incr', 'decr', 'cas', 'touch'] as const;

/** Writes every memcached_* metric the exporter would derive from these stats. */
export function writeMemcachedMetrics(out: Exposition, s: StatGroups): void {
  const g = s.general;
  out.metric('memcached_up', 'gauge', 'Could the memcached server be reached.', 1);
  const version = g.get('version');
  if (version !== undefined) out.metric('memcached_version', 'gauge', 'The version of this memcached server.', 1, { version });
  for (const [stat, metric, type, help] of GENERAL) {
    // total_malloced is a `stats slabs` total in memcached 1.6.
    const v = num(g, stat) ?? (stat === 'total_malloced' ? num(s.slabs, stat) : undefined);
    if (v !== undefined) out.metric(metric, type, help, v);
  }
  writeCommands(out, g);
  const maxconns = num(s.settings, 'maxconns');
  if (maxconns !== undefined) out.metric('memcached_max_connections', 'gauge', 'Maximum number of clients allowed.', maxconns);
  writeSlabs(out, s);
}

/** memcached_commands_total{command,status}, with the exporter's arithmetic for set. */
function writeCommands(out: Exposition, g: ReadonlyMap<string, string>): void {
  const name = 'memcached_commands_total';
  out.family(name, 'counter', 'Total number of all requests broken down by command (get, set, etc.) and status.');
  for (const op of OPS) {
    const hits = num(g, op + '_hits');
    const misses = num(g, op + '_misses');
    if (hits !== undefined) out.sample(name, hits, { command: op, status: 'hit' });
    if (misses !== undefined) out.sample(name, misses, { command: op, status: 'miss' });
  }
  const badval = num(g, 'cas_badval');
  if (badval !== undefined) out.sample(name, badval, { command: 'cas', status: 'badval' });
  const flush = num(g, 'cmd_flush');
  if (flush !== undefined) out.sample(name, flush, { command: 'flush', status: 'hit' });
  // memcached counts cas commands in cmd_set too; the exporter takes them out.
  const set = num(g, 'cmd_set');
  const cas = sum(g, 'cas_misses', 'cas_hits', 'cas_badval');
  if (set !== undefined && cas !== undefined) out.sample(name, set - cas, { command: 'set', status: 'hit' });
}

/** Slab-class metrics from `stats items` (items:N:field) and `stats slabs` (N:field). */
function writeSlabs(out: Exposition, s: StatGroups): void {
  const items = byClass(s.items, 'items:');
  const slabs = byClass(s.slabs, '');
  // Every sample of a family goes together: mapping first, then the classes.
  for (const [stat, metric, type, help] of ITEMS) {
    for (const [slab, fields] of items) {
      const v = num(fields, stat);
      if (v !== undefined) out.metric(metric, type, help, v, { slab });
    }
  }
  const cmd = 'memcached_slab_commands_total';
  if (slabs.size > 0) out.family(cmd, 'counter', 'Total number of all requests broken down by command (get, set, etc.) and status per slab.');
  for (const [slab, fields] of slabs) {
    for (const op of OPS) {
      const v = num(fields, op + '_hits');
      if (v !== undefined) out.sample(cmd, v, { slab, command: op, status: 'hit' });
    }
    const badval = num(fields, 'cas_badval');
    if (badval !== undefined) out.sample(cmd, badval, { slab, command: 'cas', status: 'badval' });
    const set = num(fields, 'cmd_set');
    const cas = sum(fields, 'cas_hits', 'cas_badval');
    if (set !== undefined && cas !== undefined) out.sample(cmd, set - cas, { slab, command: 'set', status: 'hit' });
  }
  for (const [stat, metric, type, help] of SLABS) {
    // mem_requested comes from `stats items` (above) when that reports it.
    if (stat === 'mem_requested' && items.size > 0) continue;
    for (const [slab, fields] of slabs) {
      const v = num(fields, stat);
      if (v !== undefined) out.metric(metric, type, help, v, { slab });
    }
  }
}

/** Groups "PREFIX<class>:<field>" stats by class number. */
function byClass(stats: ReadonlyMap<string, string>, prefix: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const [name, value] of stats) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+):(.+)$/.exec(name.slice(prefix.length));
    if (!m) continue;
    let fields = out.get(m[1]!);
    if (!fields) out.set(m[1]!, (fields = new Map()));
    fields.set(m[2]!, value);
  }
  return out;
}

/** A stat as a number; undefined when absent or not numeric. */
export function num(stats: ReadonlyMap<string, string>, key: string): number | undefined {
  const text = stats.get(key);
  if (text === undefined || text.trim() === '') return undefined;
  const v = Number(text);
  return Number.isFinite(v) ? v : undefined;
}

function sum(stats: ReadonlyMap<string, string>, ...keys: string[]): number | undefined {
  let total = 0;
  for (const k of keys) {
    const v = num(stats, k);
    if (v === undefined) return undefined;
    total += v;
  }
  return total;
}

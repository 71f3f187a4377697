import { LATENCY_BUCKETS_MS, type LatencySnapshot } from '../../application/request-latency.js';
import type { Exposition, MetricType } from './exposition.js';
import { num } from './memcached-metrics.js';

/** What the rat_memcache_* metrics are made of, beyond the `stats` groups. */
export interface RatFacts {
  general: ReadonlyMap<string, string>;
  latency: readonly LatencySnapshot[];
  connectionsByProtocol: ReadonlyMap<string, number>;
  evictionPolicy: string;
  ready: boolean;
}

type Mapping = readonly [stat: string, metric: string, type: MetricType, help: string];

/** Disk-tier and warm-up fields of `stats` (present when L2 is enabled). */
const L2: readonly Mapping[] = [
  ['l2_hits', 'rat_memcache_l2_hits_total', 'counter', 'Lookups the disk tier (L2) answered with a live item.'],
  ['l2_misses', 'rat_memcache_l2_misses_total', 'counter', 'Lookups the disk tier (L2) did not find.'],
  ['l2_reads', 'rat_memcache_l2_reads_total', 'counter', 'Lookups sent to the disk tier (L2).'],
  ['l2_writes', 'rat_memcache_l2_writes_total', 'counter', 'Records written to the disk tier (L2).'],
  ['l2_items', 'rat_memcache_l2_items', 'gauge', 'Items held on disk (L2).'],
  ['l2_bytes', 'rat_memcache_l2_bytes', 'gauge', 'Bytes charged for items on disk (L2).'],
  ['l2_limit_bytes', 'rat_memcache_l2_limit_bytes', 'gauge', 'Disk tier (L2) byte budget; 0 = unbounded.'],
  ['l2_evictions', 'rat_memcache_l2_evictions_total', 'counter', 'Items removed from disk (L2) to stay within its budget.'],
  [
    'l2_compression_ratio',
    'rat_memcache_l2_compression_ratio',
    'gauge',
    'Value bytes written to L2 divided by bytes stored for them (LZ4); 1 = nothing saved.',
  ],
  ['l2_pending_writes', 'rat_memcache_l2_write_queue_depth', 'gauge', 'Writes accepted and not yet applied to disk (L2 write queue).'],
  ['l2_write_queue_bytes', 'rat_memcache_l2_write_queue_bytes', 'gauge', 'Bytes in the L2 write queue.'],
  ['l2_write_queue_limit', 'rat_memcache_l2_write_queue_limit_bytes', 'gauge', 'L2 write queue byte budget; writers are paused above it.'],
  ['l2_write_queue_pauses', 'rat_memcache_l2_write_queue_pauses_total', 'counter', 'Times writers were paused because the L2 write queue was full.'],
  [
    'l2_writes_coalesced',
    'rat_memcache_l2_writes_coalesced_total',
    'counter',
    'Queued L2 writes replaced by a newer write of the same key before reaching disk.',
  ],
  ['l2_batches', 'rat_memcache_l2_batches_total', 'counter', 'Batches written to LevelDB.'],
  ['l2_corrupt_records', 'rat_memcache_l2_corrupt_records_total', 'counter', 'Corrupt disk records skipped.'],
  ['l2_write_errors', 'rat_memcache_l2_write_errors_total', 'counter', 'Failed disk batch writes.'],
  ['l2_warm_loaded', 'rat_memcache_warmup_loaded_items', 'gauge', 'Items copied from disk into memory by the start-up warm-up so far.'],
  ['l2_warm_running', 'rat_memcache_warmup_running', 'gauge', '1 while the start-up warm-up of memory from disk runs.'],
];

/** Stats fields mapped explicitly; other l2_/warm fields are exported as rat_memcache_<field>. */
const MAPPED = new Set(['l1_hits', 'l1_misses', ...L2.map((m) => m[0])]);

/** Writes the rat_memcache_* metrics: what memcached has no counterpart for. */
export function writeRatMetrics(out: Exposition, f: RatFacts): void {
  const g = f.general;
  out.metric('rat_memcache_ready', 'gauge', '1 once the cache port accepts and the disk tier is open (as /readyz).', f.ready ? 1 : 0);
  out.metric('rat_memcache_eviction_policy', 'gauge', 'Memory tier eviction policy in use (label policy).', 1, { policy: f.evictionPolicy });
  writeTierHits(out, g);
  for (const [stat, metric, type, help] of L2) {
    const v = num(g, stat);
    if (v !== undefined) out.metric(metric, type, help, v);
  }
  // Fields the disk tier adds later are exported as they are named, untyped as gauges.
  for (const [stat] of g) {
    if (!/^(l2|warm)_/.test(stat) || MAPPED.has(stat)) continue;
    const v = num(g, stat);
    if (v !== undefined) out.metric('rat_memcache_' + stat, 'gauge', `The "${stat}" field of stats.`, v);
  }
  const conns = 'rat_memcache_connections';
  out.family(conns, 'gauge', 'Open connections per protocol.');
  for (const [protocol, n] of f.connectionsByProtocol) out.sample(conns, n, { protocol });
  writeLatency(out, f.latency);
}

/**
 * Memory tier (L1) hits and misses. With the disk tier on, the tiered store
 * counts every lookup (l1_hits/l1_misses); memory-only, every client get is
 * an L1 lookup.
 */
function writeTierHits(out: Exposition, g: ReadonlyMap<string, string>): void {
  const hits = num(g, 'l1_hits') ?? num(g, 'get_hits');
  const misses = num(g, 'l1_misses') ?? num(g, 'get_misses');
  if (hits !== undefined) out.metric('rat_memcache_l1_hits_total', 'counter', 'Lookups the memory tier (L1) answered.', hits);
  if (misses !== undefined)
    out.metric('rat_memcache_l1_misses_total', 'counter', 'Lookups the memory tier (L1) did not find (sent on to L2 when enabled).', misses);
}

function writeLatency(out: Exposition, latency: readonly LatencySnapshot[]): void {
  const name = 'rat_memcache_request_duration_seconds';
  out.family(name, 'histogram', 'Time from reading a request to writing its reply, per command family (get counts per key, as memcached does).');
  for (const h of latency) {
    let cumulative = 0;
    for (let i = 0; i < h.buckets.length; i++) {
      cumulative += h.buckets[i]!;
      const le = i < LATENCY_BUCKETS_MS.length ? String(LATENCY_BUCKETS_MS[i]! / 1000) : '+Inf';
      out.sample(name + '_bucket', cumulative, { command: h.family, le });
    }
    out.sample(name + '_sum', h.sumMs / 1000, { command: h.family });
    out.sample(name + '_count', h.count, { command: h.family });
  }
}

import { LATENCY_BUCKETS_MS, type LatencySnapshot } from '../../application/request-latency.js';
import type { Exposition } from './exposition.js';
import { num } from './memcached-metrics.js';
import { DISK_TIER } from './metric-mappings.js';

/** What the rat_memcache_* metrics are made of, beyond the `stats` groups. */
export interface RatFacts {
  general: ReadonlyMap<string, string>;
  latency: readonly LatencySnapshot[];
  connectionsByProtocol: ReadonlyMap<string, number>;
  evictionPolicy: string;
  ready: boolean;
}

/** Stats fields mapped explicitly; other l2_/warm fields are exported as rat_memcache_<field>. */
const MAPPED = new Set(['l1_hits', 'l1_misses', ...DISK_TIER.map((m) => m.stat)]);

/** Writes the rat_memcache_* metrics: what memcached has no counterpart for. */
export function writeRatMetrics(out: Exposition, f: RatFacts): void {
  const g = f.general;
  out.metric('rat_memcache_ready', 'gauge', '1 once the cache port accepts and the disk tier is open (as /readyz).', f.ready ? 1 : 0);
  out.metric('rat_memcache_eviction_policy', 'gauge', 'Memory tier eviction policy in use (label policy).', 1, { policy: f.evictionPolicy });
  writeTierHits(out, g);
  for (const { stat, metric, type, help } of DISK_TIER) {
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

import type { Exposition } from './exposition.js';
import { EXPORTER_GENERAL, EXPORTER_ITEMS, EXPORTER_SLABS } from './metric-mappings.js';

/** The `stats` groups a scrape reads, as name -> value text. */
export interface StatGroups {
  general: ReadonlyMap<string, string>;
  settings: ReadonlyMap<string, string>;
  items: ReadonlyMap<string, string>;
  slabs: ReadonlyMap<string, string>;
}

const OPS = ['get', 'delete', 'incr', 'decr', 'cas', 'touch'] as const;

/**
 * Writes every memcached_* metric prometheus/memcached_exporter would derive
 * from these stats (its mappings are in metric-mappings.json), so its
 * dashboards and alerts work against this server.
 */
export function writeMemcachedMetrics(out: Exposition, s: StatGroups): void {
  const g = s.general;
  out.metric('memcached_up', 'gauge', 'Could the memcached server be reached.', 1);
  const version = g.get('version');
  if (version !== undefined) out.metric('memcached_version', 'gauge', 'The version of this memcached server.', 1, { version });
  for (const { stat, metric, type, help } of EXPORTER_GENERAL) {
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
  for (const { stat, metric, type, help } of EXPORTER_ITEMS) {
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
  for (const { stat, metric, type, help } of EXPORTER_SLABS) {
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

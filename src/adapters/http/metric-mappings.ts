import mappings from './metric-mappings.json' with { type: 'json' };
import type { MetricType } from './exposition.js';

/** A `stats` field and the metric it is exported as. */
export interface Mapping {
  readonly stat: string;
  readonly metric: string;
  readonly type: MetricType;
  readonly help: string;
}

/** The rows of metric-mappings.json, their types checked once at load. */
function typed(rows: readonly { stat: string; metric: string; type: string; help: string }[]): readonly Mapping[] {
  for (const r of rows) {
    if (r.type !== 'counter' && r.type !== 'gauge') throw new Error(`metric-mappings.json: ${r.metric} has type ${r.type}`);
  }
  return rows as readonly Mapping[];
}

/** memcached_exporter's general `stats` fields. Like the exporter, a field the server does not report produces no metric. */
export const EXPORTER_GENERAL = typed(mappings.memcachedExporter.general);
/** The exporter's per-slab-class `stats items` fields (label slab). */
export const EXPORTER_ITEMS = typed(mappings.memcachedExporter.items);
/** The exporter's per-slab-class `stats slabs` fields (label slab). */
export const EXPORTER_SLABS = typed(mappings.memcachedExporter.slabs);
/** Disk-tier and warm-up fields of `stats` (present when L2 is enabled). */
export const DISK_TIER = typed(mappings.diskTier);

import type { LatencySnapshot } from '../../application/request-latency.js';
import type { StatPair } from '../../application/stats.js';
import type { UseCases } from '../../application/use-cases.js';
import type { StatGroups } from './memcached-metrics.js';

/** Per key-prefix counters of `stats detail dump`. */
export interface PrefixCounters {
  prefix: string;
  get: number;
  hit: number;
  set: number;
  del: number;
}

/** Everything the admin listener shows, read in one go from the same functions `stats` uses. */
export interface AdminSnapshot extends StatGroups {
  latency: LatencySnapshot[];
  connectionsByProtocol: ReadonlyMap<string, number>;
  detailEnabled: boolean;
  prefixes: PrefixCounters[];
}

/** Reads the stats groups through the stats use-case (no store access here). */
export function takeSnapshot(uc: UseCases): AdminSnapshot {
  const server = uc.counters;
  const detail = uc.stats.detail('dump');
  const settings = toMap(uc.stats.settings());
  return {
    general: toMap(uc.stats.general()),
    settings,
    items: toMap(uc.stats.items()),
    slabs: toMap(uc.stats.slabs()),
    latency: server.latency.snapshot(),
    connectionsByProtocol: server.connectionsByProtocol,
    detailEnabled: settings.get('detail_enabled') === 'yes',
    prefixes: Array.isArray(detail) ? detail.map(parsePrefixLine).filter((p): p is PrefixCounters => p !== undefined) : [],
  };
}

function toMap(pairs: readonly StatPair[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of pairs) m.set(k, String(v));
  return m;
}

/** "PREFIX foo get 1 hit 0 set 2 del 0" (memcached's dump line). */
function parsePrefixLine(line: string): PrefixCounters | undefined {
  const m = /^PREFIX (\S+) get (\d+) hit (\d+) set (\d+) del (\d+)$/.exec(line);
  if (!m) return undefined;
  return { prefix: m[1]!, get: Number(m[2]), hit: Number(m[3]), set: Number(m[4]), del: Number(m[5]) };
}

import { LATENCY_BUCKETS_MS } from '../../application/request-latency.js';
import type { AdminSnapshot } from './admin-snapshot.js';

/** Listener facts the page shows next to the stats. */
export interface PageFacts {
  evictionPolicy: string;
  readiness: { ready: boolean; reason?: string };
  tokenRequired: boolean;
  loopback: boolean;
}

/**
 * The page's /api/stats document: the stats groups as they are (name -> text,
 * so the page shows exactly what `stats` prints) plus what only the admin
 * listener knows. Rates are left to the page (differences between polls).
 */
export function snapshotJson(s: AdminSnapshot, facts: PageFacts): object {
  return {
    now: Date.now(),
    general: Object.fromEntries(s.general),
    settings: Object.fromEntries(s.settings),
    connections: Object.fromEntries(s.connectionsByProtocol),
    latency: {
      bucketsMs: LATENCY_BUCKETS_MS,
      families: s.latency.map((h) => ({ family: h.family, count: h.count, sumMs: h.sumMs, buckets: h.buckets })),
    },
    detail: { enabled: s.detailEnabled, prefixes: s.prefixes },
    evictionPolicy: facts.evictionPolicy,
    readiness: facts.readiness,
    admin: { tokenRequired: facts.tokenRequired, loopback: facts.loopback },
  };
}

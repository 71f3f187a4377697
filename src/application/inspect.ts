import { isPromise } from '../domain/maybe-promise.js';
import type { CacheStore } from '../domain/ports/cache-store.js';
import type { Clock } from '../domain/ports/clock.js';

/** One tier of the cache, as the inspector names it ("memory", "disk"). */
export interface InspectedTier {
  readonly name: string;
  readonly store: CacheStore;
}

/** What an operator sees about one key. */
export interface KeyReport {
  key: string;
  /** Value length in bytes. */
  size: number;
  flags: number;
  /** Absolute expiry in epoch ms; 0 = never. */
  exptime: number;
  /** Seconds left before expiry; -1 = never expires. */
  ttlSeconds: number;
  cas: number;
  /** Tiers that hold a live copy, memory first. */
  tiers: string[];
  /** A copy of the value's first bytes (at most `previewBytes`). */
  head: Buffer;
}

/**
 * The admin page's key inspector: looks a key up in every tier without
 * counting it as a client get (no get_hits/misses, no prefix stats). The
 * stores' own lookups still run, so the memory tier's eviction policy sees
 * an access, as it would for a client read.
 */
export class InspectUseCase {
  constructor(
    private readonly tiers: readonly InspectedTier[],
    private readonly clock: Clock,
    private readonly previewBytes = 256,
  ) {}

  async inspect(key: string): Promise<KeyReport | undefined> {
    let report: KeyReport | undefined;
    for (const tier of this.tiers) {
      const found = tier.store.get(key);
      // A synchronous hit is read before anything else can run and reuse its memory.
      const item = isPromise(found) ? await found : found;
      if (item === undefined) continue;
      if (report) {
        report.tiers.push(tier.name);
        continue;
      }
      const now = this.clock.now();
      report = {
        key,
        size: item.value.length,
        flags: item.flags,
        exptime: item.exptime,
        ttlSeconds: item.exptime === 0 ? -1 : Math.max(0, Math.ceil((item.exptime - now) / 1000)),
        cas: item.cas,
        tiers: [tier.name],
        // The value may be a view of memory the store reuses: copy the part shown.
        head: Buffer.from(item.value.subarray(0, this.previewBytes)),
      };
    }
    return report;
  }
}

import type { ServerStats } from './server-stats.js';

/** Command families the latency histograms are kept for, as they appear in metric labels. */
export const COMMAND_FAMILIES = ['get', 'set', 'delete', 'incr_decr', 'touch', 'flush'] as const;
export type CommandFamily = (typeof COMMAND_FAMILIES)[number];

/** Upper bounds of the latency buckets in milliseconds; one more bucket catches the rest (+Inf). */
export const LATENCY_BUCKETS_MS: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000];

const FAMILIES = COMMAND_FAMILIES.length;
const SLOTS = LATENCY_BUCKETS_MS.length + 1;

/** A family's histogram, read at scrape time. */
export interface LatencySnapshot {
  family: CommandFamily;
  /** Non-cumulative count per bucket, the last one being +Inf. */
  buckets: number[];
  count: number;
  sumMs: number;
}

/**
 * Request latency per command family, kept as bucket counters in typed
 * arrays. Protocol sessions call `record(elapsed)` once per socket read with
 * the time from the read to its replies being written; the commands that
 * batch served are found from the families' memcached counters (cmd_get,
 * cmd_set, ...), which the use-cases bump anyway. So nothing is allocated
 * and nothing is timed per command, every protocol is covered the same way,
 * and a command counts as many observations as memcached counts it (a
 * multi-get of n keys is n gets). The counters are global, so a batch
 * records whatever they moved by since the previous record, by any session;
 * with the single event loop that is exactly its own commands, except that
 * a command completed by the disk tier may be recorded by the next session
 * to write.
 */
export class RequestLatency {
  /**
   * Whether the sessions time their batches: only while something can read
   * the histograms (the admin listener sets it), so a server without one
   * reads no clock per request.
   */
  enabled = false;
  private readonly counts = new Float64Array(FAMILIES * SLOTS);
  private readonly sums = new Float64Array(FAMILIES);
  private readonly seen = new Float64Array(FAMILIES);

  constructor(private readonly stats: ServerStats) {}

  /** Attributes every command counted since the previous call to one batch that took `elapsedMs`. */
  record(elapsedMs: number): void {
    const s = this.stats;
    this.add(0, s.cmd_get, elapsedMs);
    this.add(1, s.cmd_set, elapsedMs);
    this.add(2, s.delete_hits + s.delete_misses, elapsedMs);
    this.add(3, s.incr_hits + s.incr_misses + s.decr_hits + s.decr_misses, elapsedMs);
    this.add(4, s.cmd_touch, elapsedMs);
    this.add(5, s.cmd_flush, elapsedMs);
  }

  private add(family: number, total: number, elapsedMs: number): void {
    let n = total - this.seen[family]!;
    if (n === 0) return;
    if (n < 0) n = total; // `stats reset` zeroed the counters
    this.seen[family] = total;
    let slot = 0;
    while (slot < SLOTS - 1 && elapsedMs > LATENCY_BUCKETS_MS[slot]!) slot++;
    this.counts[family * SLOTS + slot]! += n;
    this.sums[family]! += n * elapsedMs;
  }

  /** Every family's histogram (allocates: for scrapes, not for the request path). */
  snapshot(): LatencySnapshot[] {
    return COMMAND_FAMILIES.map((family, f) => {
      const buckets = Array.from(this.counts.subarray(f * SLOTS, (f + 1) * SLOTS));
      return { family, buckets, count: buckets.reduce((a, b) => a + b, 0), sumMs: this.sums[f]! };
    });
  }
}

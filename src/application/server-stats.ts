import { RequestLatency } from './request-latency.js';

/**
 * Command counters in memcached's names. Plain numeric fields, bumped on the
 * hot path without allocation; protocol adapters bump the connection and
 * byte counters, use-cases the command counters.
 */
export class ServerStats {
  cmd_get = 0;
  cmd_set = 0;
  cmd_flush = 0;
  cmd_touch = 0;
  cmd_meta = 0;
  get_hits = 0;
  get_misses = 0;
  get_expired = 0;
  get_flushed = 0;
  delete_hits = 0;
  delete_misses = 0;
  incr_hits = 0;
  incr_misses = 0;
  decr_hits = 0;
  decr_misses = 0;
  cas_hits = 0;
  cas_misses = 0;
  cas_badval = 0;
  touch_hits = 0;
  touch_misses = 0;
  store_too_large = 0;
  store_no_memory = 0;
  auth_cmds = 0;
  auth_errors = 0;
  bytes_read = 0;
  bytes_written = 0;
  curr_connections = 0;
  total_connections = 0;
  rejected_connections = 0;
  conn_yields = 0;
  /** Open connections per protocol (text, binary, ...): a gauge, kept by the listeners. */
  readonly connectionsByProtocol = new Map<string, number>();
  /** Latency histograms per command family, fed by the protocol sessions. */
  readonly latency = new RequestLatency(this);

  /** A connection speaking `protocol` opened (+1) or closed (-1). */
  protocolConnection(protocol: string, delta: 1 | -1): void {
    this.connectionsByProtocol.set(protocol, (this.connectionsByProtocol.get(protocol) ?? 0) + delta);
  }

  /** memcached's `stats reset`: zero the counters but not the gauges. */
  reset(): void {
    const keepCurr = this.curr_connections;
    for (const k of Object.keys(this) as (keyof ServerStats)[]) {
      if (typeof this[k] === 'number') (this as Record<string, unknown>)[k] = 0;
    }
    this.curr_connections = keepCurr;
  }
}

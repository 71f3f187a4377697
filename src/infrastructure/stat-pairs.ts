import type { StatPair } from '../application/stats.js';
import type { TieredCacheStore } from '../application/tiered-cache-store.js';
import type { LevelCacheStore } from '../adapters/level/level-cache-store.js';
import type { TlsServer } from '../adapters/tcp/tls-server.js';
import { minVersionText, VERIFY_MODE_FLAGS } from '../adapters/tcp/tls-options.js';
import type { Settings } from './config.js';

// The `stats` lines that only the composition root can fill: they read
// concrete adapters (the TLS listener, the disk tier) and the settings.

/** memcached prints these in `stats` only with -Z. */
export function tlsStatPairs(tls: TlsServer): StatPair[] {
  return [
    ['ssl_handshake_errors', tls.handshakeErrors],
    ['time_since_server_cert_refresh', tls.secondsSinceCertLoad],
  ];
}

export function l2StatPairs(disk: LevelCacheStore, tiered: TieredCacheStore): StatPair[] {
  const d = disk.stats();
  const l = disk.l2Stats();
  const w = tiered.warmProgress();
  const t = tiered.tierCounts();
  return [
    ['l1_hits', t.l1Hits],
    ['l1_misses', t.l1Misses],
    ['l2_items', d.items],
    ['l2_bytes', d.bytes],
    ['l2_limit_bytes', d.limitBytes],
    ['l2_evictions', d.evictions],
    ['l2_reads', l.reads],
    ['l2_writes', l.writes],
    ['l2_hits', l.hits],
    ['l2_misses', l.misses],
    ['l2_pending_writes', l.pendingWrites],
    ['l2_compression_ratio', l.compressionRatio.toFixed(3)],
    ['l2_corrupt_records', l.corrupt],
    ['l2_write_errors', l.queue.writeErrors],
    ['l2_write_queue_bytes', l.queue.bytes],
    ['l2_write_queue_items', l.queue.items],
    ['l2_write_queue_limit', l.queue.limit],
    ['l2_write_queue_peak_bytes', l.queue.peakBytes],
    ['l2_write_lag_max_ms', l.queue.maxLagMs.toFixed(1)],
    ['l2_write_queue_pauses', l.queue.pauses],
    ['l2_writes_coalesced', l.queue.coalesced],
    ['l2_batches', l.queue.batches],
    ['l2_batch_fallbacks', l.batchFallbacks],
    ['l2_index_bytes', l.indexBytes],
    ['l2_scan_running', l.scan.running ? 1 : 0],
    ['l2_scan_items', l.scan.items],
    ['l2_scan_bytes', l.scan.bytes],
    ['l2_scan_eta_seconds', l.scan.etaSeconds],
    ['l2_warm_loaded', w.loaded],
    ['l2_warm_running', w.running ? 1 : 0],
    ['l2_warm_bytes', w.bytes],
    ['l2_warm_eta_seconds', Math.round(w.etaSeconds)],
  ];
}

/**
 * `stats settings`: every key memcached 1.6.18 prints, in its order (tools
 * parse it); ours where the setting exists here, memcached's default where it
 * describes machinery we do not have.
 */
export function settingsStats(s: Settings, detail: boolean): StatPair[] {
  return [
    ['maxbytes', s.l1.max_memory],
    ['maxconns', s.server.max_connections],
    ['tcpport', s.server.port],
    ['udpport', 0],
    ['inter', s.server.host],
    ['verbosity', 0],
    ['oldest', 0],
    ['evictions', 'on'],
    ['domain_socket', 'NULL'],
    ['umask', 700],
    ['shutdown_command', s.server.shutdown_enabled ? 'yes' : 'no'],
    ['growth_factor', '1.25'],
    ['chunk_size', 48],
    ['num_threads', 1],
    ['num_threads_per_udp', 1],
    ['stat_key_prefix', ':'],
    ['detail_enabled', detail ? 'yes' : 'no'],
    ['reqs_per_event', 20],
    ['cas_enabled', 'yes'],
    ['tcp_backlog', 1024],
    ['binding_protocol', 'auto-negotiate'],
    ['auth_enabled_sasl', s.security.sasl_enabled ? 'yes' : 'no'],
    ['auth_enabled_ascii', 'no'],
    ['item_size_max', s.server.item_size_max],
    ['maxconns_fast', 'yes'],
    ['hashpower_init', 0],
    ['slab_reassign', 'no'],
    ['slab_automove', 0],
    ['slab_automove_ratio', '0.80'],
    ['slab_automove_window', 30],
    ['slab_chunk_max', s.server.item_size_max],
    ['lru_crawler', 'no'],
    ['lru_crawler_sleep', 100],
    ['lru_crawler_tocrawl', 0],
    ['tail_repair_time', 0],
    ['flush_enabled', 'yes'],
    ['dump_enabled', 'no'],
    ['hash_algorithm', 'none'],
    ['lru_maintainer_thread', 'no'],
    ['lru_segmented', 'no'],
    ['hot_lru_pct', 20],
    ['warm_lru_pct', 40],
    ['hot_max_factor', '0.20'],
    ['warm_max_factor', '2.00'],
    ['temp_lru', 'no'],
    ['temporary_ttl', 61],
    ['idle_timeout', 0],
    ['watcher_logbuf_size', 262144],
    ['worker_logbuf_size', 65536],
    ['read_buf_mem_limit', 0],
    ['track_sizes', 'no'],
    ['inline_ascii_response', 'no'],
    ['ext_item_size', 512],
    ['ext_item_age', 4294967295],
    ['ext_low_ttl', 0],
    ['ext_recache_rate', 2000],
    ['ext_wbuf_size', 4194304],
    ['ext_compact_under', 0],
    ['ext_drop_under', 0],
    ['ext_max_sleep', 1000000],
    ['ext_max_frag', '0.80'],
    ['slab_automove_freeratio', '0.010'],
    ['ext_drop_unread', 'no'],
    // memcached prints unset paths with %s: glibc's "(null)" for two of them, its own "NULL" for the others.
    ['ssl_enabled', s.server.ssl_enabled ? 'yes' : 'no'],
    ['ssl_chain_cert', s.server.ssl_chain_cert || '(null)'],
    ['ssl_key', s.server.ssl_key || '(null)'],
    ['ssl_verify_mode', VERIFY_MODE_FLAGS[s.server.ssl_verify_mode] ?? s.server.ssl_verify_mode],
    ['ssl_keyformat', 1], // PEM, the only format read
    ['ssl_ciphers', s.server.ssl_ciphers || 'NULL'],
    ['ssl_ca_cert', s.server.ssl_ca_cert || 'NULL'],
    ['ssl_wbuf_size', 16384], // Node writes TLS records of at most 16 KiB, as memcached's default buffer
    ['ssl_session_cache', 'no'],
    ['ssl_kernel_tls', 'no'],
    ['ssl_min_version', minVersionText(s.server.ssl_min_version)],
    ['num_napi_ids', '(null)'],
    ['memory_file', '(null)'],
  ];
}

import type { ScanProgress } from './open-scan.js';
import type { WriteQueueStats } from './write-queue.js';

/** Options of the disk tier (the `[l2]` config section). */
export interface LevelStoreOptions {
  /** Directory of the LevelDB database; created when missing. */
  dataDir: string;
  /** Wipe every record when the store starts. */
  clearOnStartup: boolean;
  /** Budget for estimated stored bytes (key + record + overhead); 0 = unbounded. */
  maxDiskSize: number;
  /** fsync every batch before its writes resolve (docs/durability.md says what `false` risks). */
  syncWrites: boolean;
  /** LevelDB memtable size in bytes; 0 = LevelDB's default (4 MiB). */
  writeBufferSize: number;
  /** LevelDB block cache in bytes; 0 = LevelDB's default (8 MiB). */
  blockCacheSize: number;
  /** Values of at least this many bytes are compressed (when enabled). */
  compressionThreshold: number;
  /** Compress large values with the injected Compressor. */
  enableCompression: boolean;
  /** LevelDB's own per-block Snappy compression. */
  levelCompression: boolean;
  /** Period of the background expiry sweep in ms; 0 disables it. */
  sweepIntervalMs: number;
  /** Index entries examined per sweep slice. */
  sweepSlice?: number;
  /** Bytes of accepted, unapplied writes above which writers are held back; 0 = unbounded. */
  writeQueueBytes?: number;
}

/** Defaults the config layer can start from (ADR 0004 explains the choices). */
export const LEVEL_STORE_DEFAULTS: Readonly<Omit<LevelStoreOptions, 'dataDir'>> = {
  clearOnStartup: false,
  maxDiskSize: 0,
  syncWrites: false,
  writeBufferSize: 0,
  blockCacheSize: 0,
  compressionThreshold: 1024,
  enableCompression: true,
  levelCompression: false,
  sweepIntervalMs: 60_000,
  sweepSlice: 10_000,
  writeQueueBytes: 32 * 1024 * 1024,
};

/** Disk-tier counters beyond StoreStats. */
export interface L2Stats {
  /** get calls. */
  reads: number;
  /** Records written (set and touch). */
  writes: number;
  hits: number;
  misses: number;
  /** Value bytes handed to set/touch, before compression. */
  rawBytes: number;
  /** Value bytes actually stored for them (compressed or raw). */
  compressedBytes: number;
  /** rawBytes / compressedBytes; 1 when nothing was written. */
  compressionRatio: number;
  /** Records stored compressed. */
  compressedWrites: number;
  /** Values stored raw without trying, because recent values did not compress (see compression-gate.ts). */
  compressionSkips: number;
  /** Corrupt records skipped (at open or on read). */
  corrupt: number;
  /** Keys with a write accepted but not yet applied. */
  pendingWrites: number;
  /** The write queue (bytes, items, budget, pauses, batches...). */
  queue: WriteQueueStats;
  /** Batches that went through db.batch() because the native write batch (db._chainedBatch) is missing (see batch-writer.ts). */
  batchFallbacks: number;
  /** Bytes of memory held by the key index. */
  indexBytes: number;
  /** The open scan that rebuilds the index (running while the index does not know every key yet). */
  scan: ScanProgress;
}

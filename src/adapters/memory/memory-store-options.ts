/** Options of the memory tier (the `[l1]` and `[ttl]` config sections). */
export interface MemoryStoreOptions {
  /** Byte budget for everything the tier holds; 0 = unbounded. */
  maxMemory: number;
  /** Entry budget; 0 = unbounded. */
  maxEntries: number;
  /** Period of the background expiry sweep in ms; 0 disables it. */
  cleanupIntervalMs: number;
}

/**
 * Bytes an entry costs the store beyond its payload chunk (key + value + 6
 * bytes of header, rounded to its size class): the metadata arrays (32 B and
 * their growth slack) and the key index (4 B per slot at <= 3/4 load).
 * The eviction policy's own per-entry cost is added to it. Measured on Node
 * 20 x64 with bench/memory/overhead.ts (docs/memory.md).
 */
export const ENTRY_BASE_OVERHEAD = 44;
/** A payload with a Buffer of its own also pays the Buffer object and its native backing store. */
export const OWN_BUFFER_OVERHEAD = 256;
/** Payload header: the key length (u16). */
export const KEY_LENGTH_BYTES = 2;
/** Longest key the payload header can describe. */
export const KEY_MAX = 0xffff;
/** Entries examined per sweep slice, so a sweep never stalls the event loop. */
export const SWEEP_SLICE = 10_000;
/** Entries examined for expired ones before a set takes new memory (memcached looks at its LRU tails). */
export const RECLAIM_SLICE = 2_000;

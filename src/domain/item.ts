/**
 * One cached item, as every store and protocol sees it.
 *
 * Keys are carried as latin1 strings: each character is one key byte, so any
 * byte sequence memcached accepts maps 1:1 onto a string usable as a `Map` key
 * without a UTF-8 round trip (see docs/adr/0002-hot-path.md).
 */
export interface CacheItem {
  /** Key bytes as a latin1 string (one char per byte). */
  readonly key: string;
  /** Value bytes, exactly as the client sent them. */
  value: Buffer;
  /** Opaque 32-bit unsigned client flags. */
  flags: number;
  /** Absolute expiry in epoch milliseconds; 0 means never. */
  exptime: number;
  /** Unique version stamp; changes on every modification. */
  cas: number;
}

/** Builds an item; the only place the shape is spelled out. */
export function makeItem(key: string, value: Buffer, flags: number, exptime: number, cas: number): CacheItem {
  return { key, value, flags, exptime, cas };
}

/** True when an item with this absolute expiry is dead at `nowMs`. */
export function isExpired(exptime: number, nowMs: number): boolean {
  return exptime !== 0 && exptime <= nowMs;
}

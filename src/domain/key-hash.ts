/**
 * 32-bit FNV-1a over the key's chars (latin1: one char per byte), finished
 * with a murmur3-style avalanche so that low bits are usable as table
 * indexes. The memory tier's key index and the eviction policies that
 * remember evicted keys (s3fifo's ghost, W-TinyLFU's sketch) share it.
 */
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

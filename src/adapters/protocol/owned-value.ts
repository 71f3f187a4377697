/**
 * Values at least this large get an allocation of their own. Smaller ones
 * share Node's 8 KiB Buffer pool (cheap to allocate), but one surviving
 * small value pins its whole pool block, so larger values must not live
 * there: see docs/memory.md.
 */
const OWN_ALLOCATION = 512;

/**
 * Copies the first `length` bytes spread over `parts` (views of socket
 * chunks) into memory the cache can keep: a view would pin the whole read
 * buffer, or see it overwritten when the read buffer is shared. One copy,
 * whatever the number of parts.
 */
export function ownedValue(parts: readonly Buffer[], length: number): Buffer {
  const out = ownedBuffer(length);
  let off = 0;
  for (const p of parts) {
    if (off >= length) break;
    off += p.copy(out, off, 0, Math.min(p.length, length - off));
  }
  return out;
}

/**
 * Uninitialised memory the cache can keep, allocated by the same rule as
 * ownedValue: its own ArrayBuffer from OWN_ALLOCATION bytes up, Node's pool below.
 */
export function ownedBuffer(length: number): Buffer {
  return length >= OWN_ALLOCATION ? Buffer.allocUnsafeSlow(length) : Buffer.allocUnsafe(length);
}

/** Pooled value blocks: powers of two from 1 KiB to 2 MiB, at most POOL_DEPTH each (~16 MiB at most). */
const POOL_MIN_SHIFT = 10;
const POOL_MAX_SHIFT = 21;
const POOL_DEPTH = 4;
const pool: Buffer[][] = Array.from({ length: POOL_MAX_SHIFT + 1 }, () => []);

function poolClass(length: number): number {
  return Math.max(POOL_MIN_SHIFT, 32 - Math.clz32(length - 1));
}

/**
 * A block of at least `length` bytes to gather a value in before it is
 * stored. Stores copy a value before a synchronous `set` returns, so the
 * block can come back (releaseBlock) and carry the next value: large values
 * then cost no allocation, which for 64 KiB values was a GC per ~500 sets.
 */
export function acquireBlock(length: number): Buffer {
  if (length < 1 << POOL_MIN_SHIFT || length > 1 << POOL_MAX_SHIFT) return ownedBuffer(length);
  return pool[poolClass(length)]!.pop() ?? Buffer.allocUnsafeSlow(1 << poolClass(length));
}

/** Returns a block from acquireBlock once nothing refers to it any more. */
export function releaseBlock(block: Buffer): void {
  const n = block.length;
  if (n < 1 << POOL_MIN_SHIFT || n > 1 << POOL_MAX_SHIFT || (n & (n - 1)) !== 0 || block.byteOffset !== 0) return;
  const free = pool[poolClass(n)]!;
  if (free.length < POOL_DEPTH) free.push(block);
}

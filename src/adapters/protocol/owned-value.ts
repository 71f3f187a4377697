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

/** The byte at `index` of the concatenation of `parts`. */
export function byteAt(parts: readonly Buffer[], index: number): number | undefined {
  for (const p of parts) {
    if (index < p.length) return p[index];
    index -= p.length;
  }
  return undefined;
}

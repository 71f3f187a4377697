import { KEY_LENGTH_BYTES } from './memory-store-options.js';

/**
 * The bytes of one entry, wherever they live (a slab chunk or a Buffer of
 * its own): a 2-byte little-endian key length, the key's Latin-1 bytes, then
 * the value. Keys are compared and read from these bytes, so the tier keeps
 * no string per entry.
 */

/** The key length stored at `off`. */
export function keyLengthAt(buf: Buffer, off: number): number {
  return buf[off]! | (buf[off + 1]! << 8);
}

/** The key stored at `off`, as the string it was set with. */
export function keyAt(buf: Buffer, off: number): string {
  return buf.toString('latin1', off + KEY_LENGTH_BYTES, off + KEY_LENGTH_BYTES + keyLengthAt(buf, off));
}

/** Whether the key stored at `off` is `key`, compared byte by byte without making a string. */
export function keyMatches(buf: Buffer, off: number, key: string): boolean {
  const n = key.length;
  if (keyLengthAt(buf, off) !== n) return false;
  const k = off + KEY_LENGTH_BYTES;
  for (let i = 0; i < n; i++) if (buf[k + i] !== key.charCodeAt(i)) return false;
  return true;
}

/** Where the value of a key of `keyLength` bytes stored at `off` starts. */
export function valueStart(off: number, keyLength: number): number {
  return off + KEY_LENGTH_BYTES + keyLength;
}

/** Writes `key` and `value` at `off` (the caller sized the space: KEY_LENGTH_BYTES + key + value). */
export function writePayload(buf: Buffer, off: number, key: string, value: Buffer): void {
  const n = key.length;
  buf[off] = n & 0xff;
  buf[off + 1] = n >>> 8;
  for (let i = 0; i < n; i++) buf[off + KEY_LENGTH_BYTES + i] = key.charCodeAt(i);
  copyInto(buf, off + KEY_LENGTH_BYTES + n, value);
}

/** Copies `src` into `dst` at `at`; short values by a loop, which beats the native call's fixed cost. */
export function copyInto(dst: Buffer, at: number, src: Buffer): void {
  const n = src.length;
  if (n <= 32) for (let i = 0; i < n; i++) dst[at + i] = src[i]!;
  else src.copy(dst, at);
}

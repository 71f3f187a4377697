import lz4 from 'lz4js';
import type { Compressor } from '../../domain/ports/compressor.js';

/** lz4js crushes its match hash to 16 bits. */
const HASH_SLOTS = 1 << 16;

/**
 * LZ4 raw blocks (no frame) via the pure-JS lz4js package (id 1).
 *
 * The frame API of lz4js is avoided: without a known output size its
 * `decompress` allocates a 4 MiB bound on every call, and frames repeat the
 * length we already store in the record header. Blocks are decoded straight
 * into a buffer of exactly `originalLength` bytes.
 */
export class Lz4jsCompressor implements Compressor {
  static readonly ID = 1;
  readonly id = Lz4jsCompressor.ID;
  readonly name = 'lz4';
  /** Reused across calls; cleared each time because stale slots can yield a zero offset. */
  private readonly hashTable = new Uint32Array(HASH_SLOTS);

  compress(input: Buffer): Buffer {
    const n = input.length;
    const dst = Buffer.allocUnsafe(lz4.compressBound(n));
    this.hashTable.fill(0);
    const written = lz4.compressBlock(input, dst, 0, n, this.hashTable);
    if (written > 0) return dst.subarray(0, written);
    // lz4js gives up (returns 0) when it finds no match; a literals-only block
    // keeps decompress(compress(x)) == x for every input.
    return literalBlock(input, dst);
  }

  decompress(input: Buffer, originalLength: number): Buffer {
    const out = Buffer.allocUnsafe(originalLength);
    const end = lz4.decompressBlock(input, out, 0, input.length, 0);
    if (end !== originalLength) {
      throw new Error(`lz4: corrupt block (decoded ${end} bytes, expected ${originalLength})`);
    }
    return out;
  }
}

/** Encodes `input` as one LZ4 sequence of literals and no match. */
function literalBlock(input: Buffer, dst: Buffer): Buffer {
  const n = input.length;
  let i = 0;
  if (n >= 15) {
    dst[i++] = 0xf0;
    let rest = n - 15;
    for (; rest >= 0xff; rest -= 0xff) dst[i++] = 0xff;
    dst[i++] = rest;
  } else {
    dst[i++] = n << 4;
  }
  input.copy(dst, i);
  return dst.subarray(0, i + n);
}

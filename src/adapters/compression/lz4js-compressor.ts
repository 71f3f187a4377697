import lz4 from 'lz4js';
import type { Compressor } from '../../domain/ports/compressor.js';

/** lz4js crushes its match hash to 16 bits. */
const HASH_SLOTS = 1 << 16;
/**
 * Inputs up to this size are compressed into one reused scratch buffer and
 * only the packed bytes are copied out. A fresh `compressBound` buffer per
 * call (64 KiB for a 64 KiB value, kept alive by the packed view into it) was
 * external memory that made V8 run a full GC every ~100 sets of 64 KiB.
 */
const SCRATCH_MAX_INPUT = 1024 * 1024;

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
  private scratch: Buffer = Buffer.alloc(0);

  compress(input: Buffer): Buffer {
    const n = input.length;
    const bound = lz4.compressBound(n);
    if (n > SCRATCH_MAX_INPUT) return this.compressTo(input, Buffer.allocUnsafe(bound));
    if (this.scratch.length < bound) this.scratch = Buffer.allocUnsafeSlow(bound);
    const packed = this.compressTo(input, this.scratch);
    const out = Buffer.allocUnsafe(packed.length);
    packed.copy(out);
    return out;
  }

  /** Compresses `input` into `dst` (at least compressBound bytes); returns the view of the block. */
  private compressTo(input: Buffer, dst: Buffer): Buffer {
    this.hashTable.fill(0);
    const written = lz4.compressBlock(input, dst, 0, input.length, this.hashTable);
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

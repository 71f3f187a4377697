import type { Compressor } from '../../domain/ports/compressor.js';

/**
 * The "no compression" codec (id 0). Records written raw carry this id, so a
 * reader needs no special case for values that were never compressed.
 */
export class IdentityCompressor implements Compressor {
  static readonly ID = 0;
  readonly id = IdentityCompressor.ID;
  readonly name = 'none';

  compress(input: Buffer): Buffer {
    return input;
  }

  decompress(input: Buffer, originalLength: number): Buffer {
    if (input.length !== originalLength) {
      throw new Error(`identity: stored length ${input.length} != original length ${originalLength}`);
    }
    return input;
  }
}

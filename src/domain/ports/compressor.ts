/** Block compressor used by the disk tier. */
export interface Compressor {
  /** Stable identifier stored with each compressed record (one byte). */
  readonly id: number;
  readonly name: string;
  compress(input: Buffer): Buffer;
  /** `originalLength` is stored beside the block so no bound must be guessed. */
  decompress(input: Buffer, originalLength: number): Buffer;
}
export const Compressor = Symbol('Compressor');

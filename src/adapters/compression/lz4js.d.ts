// Just the raw block API of lz4js (the package ships no types). The frame API
// is left out on purpose: it allocates a 4 MiB bound per decompress.
declare module 'lz4js' {
  /** Worst-case compressed size of `n` input bytes. */
  export function compressBound(n: number): number;
  /**
   * Compresses `src[sIndex, sIndex + sLength)` into `dst` from index 0 and
   * returns the bytes written, or 0 when no match was found at all (the block
   * would be literals only). `hashTable` must hold 65536 zeroed slots.
   */
  export function compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
  /** Decodes `src[sIndex, sIndex + sLength)` into `dst` from `dIndex`; returns the end index in `dst`. */
  export function decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
  const lz4: {
    compressBound: typeof compressBound;
    compressBlock: typeof compressBlock;
    decompressBlock: typeof decompressBlock;
  };
  export default lz4;
}
